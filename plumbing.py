"""The plumbing every script of the evening shares: files, checks and the command line.

None of this is the lesson. The scripts import it so that each of them can show its maths
first and keep only its own flags and readers in its last cell:

    import plumbing
    from plumbing import InputError

What is here, in the order a run needs it:

- `in_notebook`, `repo_root`: where the script runs, and the workshop folder (the one that
  holds data/), the same from the top of the repo, from stubs/ and from a notebook;
- `require`: the packages a run needs, checked before any work;
- `choose_keras_backend`, `silenced_stderr`: the Keras backend, picked before Keras is first
  imported, and the start-up notes its C libraries print, hidden;
- `check_input`: an input file that is missing or a folder, refused before any work;
- `check_count`, `check_positive`, `check_fraction`, `check_seed`, `check_memory`: settings;
- `check_output`, `check_outputs`: the one guard every output goes through, before any work;
- `write_atomically`, `write_text`, `write_json`, `save_figure`: every write, all or nothing;
- `live_figure`, `keep_live_view`: the --live view, redrawn as a run trains, left open at its end;
- `run_main`: turns bad input, Ctrl-C, a closed pipe and a console that cannot show a
  character into one plain line and an exit status.

At module level it imports only the standard library and numpy, so that `python mlp.py`
starts as fast as ever; pandas and matplotlib load inside the functions that use them.
"""

import contextlib
import importlib.util
import json
import math
import os
import secrets
import sys
from pathlib import Path

INSTALL = "python -m pip install -r requirements.txt"  # the one install command of the README
MEMORY_LIMIT = 2 * 1024**3  # bytes: the most the arrays of one run may take (a laptop's share)
REPO_FOLDERS = ("data", "stubs", "tests", "slides", "benchmarks", ".ci", ".git")  # never written
REPO_FILES = (".py", ".md", ".txt", ".toml", ".ipynb")  # endings of the repo's own files at its top
KERAS_BACKENDS = ("tensorflow", "jax", "torch")  # in the order they are preferred when installed


class InputError(Exception):
    """Bad input from the user: reported as one plain sentence, exit status 2."""


# %% Where the script runs
def in_notebook():
    """True when the cells run in a Jupyter kernel (a notebook, VS Code's cells): the kernel's
    own command line is not the script's, and figures show inline."""
    main = sys.modules.get("__main__")
    return (Path(sys.argv[0]).name == "ipykernel_launcher.py"
            or ("ipykernel" in sys.modules and not hasattr(main, "__file__")))


def repo_root():
    """The workshop folder: the first folder upward that holds data/, from this file (which
    stubs/ holds a copy of), else from the working folder."""
    for start in (Path(__file__).resolve().parent, Path.cwd()):
        for folder in (start, *start.parents):
            if (folder / "data").is_dir():
                return folder
    return Path(__file__).resolve().parent


# %% Packages
def require(*modules):
    """Refuse, before any work, a run whose packages are not installed (one sentence)."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise InputError(f"This run needs {', '.join(missing)}, which this Python "
                         f"({sys.executable}) does not have; install it with `{INSTALL}`.")


def choose_keras_backend():
    """Pick the Keras backend before Keras is first imported; returns (backend, why).

    KERAS_BACKEND when it is set (in any letter case); else the backend in ~/.keras/keras.json;
    else the first of KERAS_BACKENDS that is installed. The choice is written to KERAS_BACKEND,
    where Keras reads it. A backend asked for that is unknown or not installed is refused in
    one sentence that names the installed ones, except keras.json's "tensorflow", which Keras
    writes there itself on its first start: without TensorFlow, the first installed is used.
    """
    installed = [name for name in KERAS_BACKENDS if importlib.util.find_spec(name) is not None]
    asked = os.environ.get("KERAS_BACKEND", "").strip()
    if asked:
        backend, why = asked.lower(), "set by KERAS_BACKEND"
        check_backend(backend, f"KERAS_BACKEND={asked}", installed, "or unset it to let the "
                      "scripts pick")
        os.environ["KERAS_BACKEND"] = backend
        return backend, why
    if not installed:
        raise InputError(f"Keras needs a backend, and none of {', '.join(KERAS_BACKENDS)} is "
                         f"installed; install one with `{INSTALL}` (or "
                         "`python -m pip install -r requirements-jax.txt`).")
    config = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "keras.json"
    try:
        saved = json.loads(config.read_text(encoding="utf-8")).get("backend")
    except (OSError, ValueError, AttributeError):
        saved = None
    backend, why = installed[0], "the first installed of " + ", ".join(KERAS_BACKENDS)
    named = saved.strip().lower() if isinstance(saved, str) else ""
    if named and named != "tensorflow":
        check_backend(named, f"{config} (\"backend\": \"{saved}\")", installed,
                      "or write that name in the file")
    if named in installed:
        backend, why = named, f"set in {config}"
    os.environ["KERAS_BACKEND"] = backend
    return backend, why


def check_backend(backend, where, installed, other_fix):
    """Refuse a backend that these scripts cannot train on, or that is not installed here."""
    have = (f"this Python ({sys.executable}) has {', '.join(installed)}" if installed else
            f"this Python ({sys.executable}) has none of them")
    choose = (f"choose one with KERAS_BACKEND={installed[0]}, {other_fix}" if installed else
              f"install one with `{INSTALL}`")
    if backend not in KERAS_BACKENDS:
        raise InputError(f"{where} names no Keras backend these scripts can train on (they "
                         f"run on {', '.join(KERAS_BACKENDS)}); {have}; {choose}.")
    if backend not in installed:
        raise InputError(f"{where} asks for {backend}, which is not installed; {have}; "
                         f"{choose} (or install {backend}).")


@contextlib.contextmanager
def silenced_stderr():
    """Inside this block the process's stderr goes to the null device: C libraries write
    straight to it, past Python (TensorFlow greets each start with notes on CUDA drivers, even
    at TF_CPP_MIN_LOG_LEVEL 3). Python's own errors after the block show as usual."""
    sys.stderr.flush()
    saved, null_device = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null_device, 2)  # descriptor 2 is stderr, for C code as for Python
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null_device)


# %% Inputs
def check_input(path, what, fix):
    """Refuse, before any work, an input that is a folder or is not there: one sentence that
    says `what` it should be ("model", "checkpoint") and ends with `fix`."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder, not a {what}; {fix}.")
    if not path.is_file():
        raise InputError(f"There is no {what} at {path}; {fix}.")


# %% Settings
def check_count(flag, value, minimum=1, maximum=None):
    """A whole number of things (units, epochs, steps) within its range."""
    if value < minimum:
        raise InputError(f"{flag} must be at least {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise InputError(f"{flag} must be at most {maximum:,}; got {value:,}.")


def check_positive(flag, value, example):
    """A rate or a temperature: a finite number above zero."""
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"{flag} must be a positive number, such as {example}; got {value}.")


def check_fraction(flag, value, example):
    """A share strictly between 0 and 1, such as the fraction of rows that train."""
    if not 0 < value < 1:
        raise InputError(f"{flag} must be between 0 and 1, such as {example}; got {value}.")


def check_seed(flag, value):
    """numpy's seeds are whole numbers from 0 to 2**32 - 1."""
    if not 0 <= value <= 2**32 - 1:
        raise InputError(f"{flag} must be a whole number from 0 to 4294967295; got {value}.")


def check_memory(numbers, flags):
    """Refuse, before allocating, settings whose arrays would take more than MEMORY_LIMIT.

    `numbers` is an estimate of how many float64 values the run holds at once; `flags` names
    the settings that make it large, such as "--hidden and --seq-len".
    """
    needed = 8 * numbers
    if needed > MEMORY_LIMIT:
        raise InputError(f"These settings would need about {needed / 1024**3:,.1f} GiB of "
                         f"arrays, more than the {MEMORY_LIMIT / 1024**3:.0f} GiB these scripts "
                         f"allow themselves; choose smaller values for {flags}.")


# %% The guard: every output is checked here before any work
def same_file(a, b):
    """True when two paths name one file: the same file reached by another spelling, a link,
    or another letter case, or the same place for a file not made yet."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet
        return os.path.realpath(a) == os.path.realpath(b)


def repo_file(path):
    """True when `path` (or the file a link at `path` leads to) belongs to the repository:
    a script, notebook or text at its top (mlp.py, README.md), or anything under its own
    folders. Results a run left at the top (a .json, a .png) are not the repo's."""
    root = repo_root()
    target = Path(os.path.realpath(path))
    if (target.is_file() and same_file(target.parent, root)
            and (target.suffix in REPO_FILES or target.name.startswith(("LICENSE", ".")))):
        return True
    existing = next(p for p in (target, *target.parents) if p.exists())
    return any(same_file(folder, root / name)
               for folder in (existing, *existing.parents) for name in REPO_FOLDERS)


def check_output(path, flag, inputs=None, folder=False):
    """Refuse, before any work, an output this run must not or cannot write: one sentence.

    `inputs` maps a description ("--csv", "the training text") to each file the run reads.
    An output is never one of those, never a file of the repository, and never a link to
    either; any other link is replaced by the write, never written through. Nothing is
    created here: missing folders are made when the file is written.
    """
    path = Path(path)
    for what, taken in (inputs or {}).items():
        if taken is not None and same_file(path, taken):
            raise InputError(f"{flag} {path} is the same file as {what}, which this run "
                             f"would overwrite; give {flag} another path.")
    if repo_file(path):
        raise InputError(f"{flag} {path} is among the workshop's own files (its scripts, "
                         "data/, stubs/, tests/, slides/), which no run may overwrite; give "
                         f"{flag} a path under figures/ or outside the repository.")
    if path.is_symlink() and not folder:
        return  # a link to a file of the user's own: the write replaces the link itself
    existing = next(p for p in (path, *path.parents, Path.cwd()) if p.exists())
    if existing == path and path.is_dir() != folder:
        raise InputError(f"{flag} {path} is a {'file' if folder else 'folder'}; give "
                         f"{'a folder' if folder else 'a file name'} there instead.")
    if existing != path and not existing.is_dir():
        raise InputError(f"{flag} {path} cannot be made: {existing} is a file, not a folder; "
                         "choose another path.")
    if existing == path and not folder and not os.access(path, os.W_OK):
        raise InputError(f"{flag} {path} is read-only; choose another file or make it writable.")
    writable = existing if folder or existing != path else path.parent
    if not os.access(writable, os.W_OK | os.X_OK):
        raise InputError(f"{flag} {path} cannot be written: {writable} is not writable for "
                         "you; choose another path.")


def check_outputs(outputs, inputs, may_update=()):
    """Check every output of a run (a dict flag -> path, None for those not asked for).

    No two outputs may be one file, and no output may be an input, except the documented
    updates in place listed in `may_update` as (output flag, input name) pairs, such as
    ("--checkpoint", "--resume").
    """
    taken = dict(inputs)
    for flag, path in outputs.items():
        if path is None:
            continue
        check_output(path, flag, {what: other for what, other in taken.items()
                                  if (flag, what) not in may_update})
        taken[flag] = path


# %% Writing: whole files or nothing
def write_atomically(path, write, flag="the output"):
    """Call `write(temporary_path)`, then rename that file to `path` in one step.

    A reader never sees half a file, a killed write leaves the old file as it was, two runs
    writing the same file at once each use their own temporary name and one complete file
    wins, and a link at `path` is replaced, never written through. The temporary name keeps
    the file's ending (Keras and numpy go by it).
    """
    path = Path(path)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"  # this write's own: never another run's
    temporary = path.with_name(f".{path.stem}.{token}.tmp{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)
        os.replace(temporary, path)
    except OSError as error:
        raise InputError(f"Could not write {path} ({error.strerror or error}); check {flag}'s "
                         "folder, its permissions and the free space.") from None
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_text(path, text, flag="the output"):
    """A UTF-8 text file, written whole or not at all."""
    return write_atomically(path, lambda file: file.write_text(text, encoding="utf-8"), flag)


def write_json(path, data, flag="--json"):
    """A JSON file of the run's figures, written whole or not at all (NaN is refused)."""
    return write_text(path, json.dumps(data, indent=2, allow_nan=False) + "\n", flag)


def save_figure(figure, path, flag="--plot-dir", **options):
    """A matplotlib figure as a PNG, written whole or not at all; options go to savefig."""
    options = {"dpi": 100, **options}
    return write_atomically(path, lambda file: figure.savefig(file, format="png", **options),
                            flag)


# %% A figure that redraws while a run trains (--live)
LIVE_LABEL = "live view"  # the label of a --live figure among matplotlib's open figures


def live_figure(figure):
    """Show `figure` now and return redraw(), which shows its latest state.

    In a notebook it is shown once and each redraw() updates that one output in place (not a
    new figure per redraw); in a terminal it is a window that repaints at each redraw(), and
    stays open at the end of the run (`keep_live_view`). A backend that opens no window (Agg,
    a machine without a display) is named in one sentence, and redraw() still draws,
    off-screen, so that a run costs the same everywhere.
    """
    figure.set_label(LIVE_LABEL)
    if in_notebook():
        from IPython.display import display

        handle = display(figure, display_id=True)
        return lambda: handle.update(figure)
    if figure.canvas.required_interactive_framework is None:  # Agg, PDF, SVG: no window
        import matplotlib

        print(f"--live: matplotlib's {matplotlib.get_backend()} backend here cannot open a "
              "window, so the live view is drawn off-screen (run `python check_setup.py` to "
              "see how to get windows, or use a notebook).")
        return figure.canvas.draw
    figure.show()

    def redraw():
        figure.canvas.draw_idle()
        figure.canvas.flush_events()  # paint now, and keep the window answering

    return redraw


def in_window(figure):
    """True when `figure` is in a window on a screen, outside a notebook."""
    return not in_notebook() and figure.canvas.required_interactive_framework is not None


def can_wait(figure, stdin=None):
    """True when the run may wait for `figure`'s window to be closed: it is in a window, and a
    person at a terminal can end the wait. Never in a notebook, under a backend without
    windows (Agg, as in the tests and CI) or with no terminal on standard input (a pipe)."""
    stdin = sys.stdin if stdin is None else stdin
    try:
        return in_window(figure) and stdin is not None and stdin.isatty()
    except (AttributeError, ValueError, OSError):  # a closed or stand-in stdin
        return False


def enter_pressed(stdin=None):
    """True when Enter was pressed in the terminal (or its input ended), without waiting."""
    stdin = sys.stdin if stdin is None else stdin
    if os.name == "nt":  # Windows' console: select() works on sockets only
        import msvcrt

        keys = []
        while msvcrt.kbhit():
            keys.append(msvcrt.getwch())
        return any(key in "\r\n" for key in keys)
    import select

    if select.select([stdin], [], [], 0)[0]:
        stdin.readline()
        return True
    return False


def keep_live_view(stdin=None):
    """At the end of a --live run: the live view's window stays open, showing its last frame,
    until it is closed or Enter is pressed in the terminal; the last line printed says so.
    Returns at once, printing nothing, where `can_wait` says no. True when it waited."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    figures = [pyplot.figure(number) for number in pyplot.get_fignums()] if pyplot else []
    live = [figure for figure in figures if figure.get_label() == LIVE_LABEL]
    if not live or not can_wait(live[0], stdin):
        return False
    figure = live[0]
    print("The live view stays open with its last frame: close its window, or press Enter "
          "here, to end.", flush=True)
    try:
        while pyplot.fignum_exists(figure.number) and not enter_pressed(stdin):
            figure.canvas.start_event_loop(0.1)  # the window answers while we wait
    except KeyboardInterrupt:  # Ctrl-C ends the wait as Enter does: the run is complete
        print()
    pyplot.close(figure)
    return True


# %% The command line
def run_main(work, interrupted="nothing was written, so earlier results are as they were"):
    """Run `work()`, the whole job of a script, and return its exit status.

    0 when it finished; 2 with one plain sentence on stderr for bad input; 130 with one line
    saying what was kept (`interrupted`) when Ctrl-C stopped it, a second Ctrl-C too; 1 and
    nothing more when the reader of the output went away (`python mlp.py | head`). A console
    that cannot show a character shows a stand-in for it instead of stopping the run.
    """
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        try:
            work()
        finally:
            sys.stdout.flush()  # a reader that went away is found here at the latest
    except InputError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nStopped by Ctrl-C; {interrupted}.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away: end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0
