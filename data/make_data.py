"""Regenerate the data files the workshop ships in data/.

    python data/make_data.py          # everything (same as `all`)
    python data/make_data.py sine     # data/sinwave.csv, computed here
    python data/make_data.py sp500    # data/sp500.csv, from the `arch` package (pip install arch)

Running it again gives byte-for-byte the same files. The verse in data/rhymes.txt is written by
hand, so it is not made here. See data/README.md for what each file holds.
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parent

# %% Settings
SINE_POINTS = 5000  # 50 cycles of the wave
SINE_PERIOD = 100  # points per cycle
SINE_PHASE = 1.0  # radians; the classic file starts here, so no value is exactly 0
SP500_FIRST_DAY, SP500_LAST_DAY = "1999-01-04", "2018-12-31"  # 5,031 trading days
SP500_COLUMNS = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]


class MissingPackage(Exception):
    """An optional package this file needs is not installed: one sentence, exit status 2."""


def write_atomically(path, text):
    """Write to a temporary file beside `path`, then rename it into place.

    The temporary name is fixed, so one left by a killed write is replaced by the next.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="\n")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# %% The sine wave
def sine_values(points=SINE_POINTS, period=SINE_PERIOD, phase=SINE_PHASE):
    """Value i is sin(phase + 2*pi*i/period)."""
    return np.sin(phase + 2 * np.pi * np.arange(points) / period)


def sine_text(values):
    """One value a line, no header, 9 decimals: the classic sinwave.csv format."""
    return "".join(f"{value:.9f}\n" for value in values)


def make_sine(path=DATA_DIR / "sinwave.csv"):
    write_atomically(path, sine_text(sine_values()))
    return path


# %% The S&P 500
def require_arch():
    """Refuse, before anything is written, when the optional `arch` package is missing."""
    try:
        import arch  # noqa: F401  (only needed to regenerate the file, never to run)
    except ImportError:
        raise MissingPackage("The S&P 500 file comes from the `arch` package, which is not "
                             "installed; install it with `python -m pip install arch` and run "
                             "this again.") from None


def sp500_frame():
    """Daily S&P 500 prices from the `arch` package, as Date,Open,...,Volume rows."""
    require_arch()
    from arch.data import sp500

    frame = sp500.load().loc[SP500_FIRST_DAY:SP500_LAST_DAY, SP500_COLUMNS]
    frame.index = frame.index.strftime("%Y-%m-%d")
    frame.index.name = "Date"
    return frame


def make_sp500(path=DATA_DIR / "sp500.csv"):
    frame = sp500_frame()
    write_atomically(path, frame.to_csv(lineterminator="\n", float_format="%.6f"))
    return path


# %% Command line
def main(argv=None):
    parser = argparse.ArgumentParser(description="Regenerate the files in data/.")
    parser.add_argument("which", nargs="?", default="all", choices=["sine", "sp500", "all"],
                        help="which file to make (default: all)")
    args = parser.parse_args(argv)
    makers = {"sine": [make_sine], "sp500": [make_sp500], "all": [make_sine, make_sp500]}
    try:
        if make_sp500 in makers[args.which]:
            require_arch()
        for make in makers[args.which]:
            print(f"wrote {make()}")
        sys.stdout.flush()  # inside the try, so that a closed pipe is caught here
    except MissingPackage as error:
        print(error, file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        print(f"Could not write {error.filename} ({error.strerror}); check that data/ is a "
              "folder you can write to.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
