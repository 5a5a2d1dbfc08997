"""series_csv.py of this checkout beside an earlier commit's, on the same files, in one run.

    python benchmarks/reader.py                    # against the last commit (HEAD)
    python benchmarks/reader.py --against 2892ced  # against any commit of this repository

Writes one folder of CSV files: the shipped S&P 500, each source's shape, and the bad files a
user's download may be (missing, empty, binary, uneven, unreadable dates...). Each version reads
every file in a process of its own, with its own plumbing.py, and prints what it read (rows,
columns, first and last value, and what it said) or the sentence that refused the file. Then
each file's two results, "same" or both side by side, and the time to read data/sp500.csv and a
file of 100,000 rows (median of 7 reads each, the versions in turns).
"""

import argparse
import bz2
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

from startup import unpack

REPO_ROOT = Path(__file__).resolve().parent.parent
DAYS = [f"2024-03-{day:02d}" for day in (4, 5, 6, 7, 8, 11, 12, 13, 14, 15)]  # across a DST day
CLOSE = [998.5, 999.25, 1000.0, 1001.75, 1003.5, 1002.0, 1004.25, 1006.0, 1005.5, 1007.0]
ROWS = [(i, day, f"{day[5:7]}/{day[8:]}/{day[:4]}", c)  # (index, ISO date, MM/DD/YYYY, close)
        for i, (day, c) in enumerate(zip(DAYS, CLOSE, strict=True))]
NEWEST_FIRST = ROWS[::-1]


def table(header, rows):
    return "\n".join([header, *rows]) + "\n"


CASES = {  # name: the file's text (str) or bytes; written as name
    "one-number-a-line.csv": table("0.5", [str(c) for *_, c in ROWS]),
    "one-column-nan.csv": table("value", ["1.5", "nan", "2.5", "3.5"]),
    "decimal-comma-one-column.csv": table("0,841", ["0,873", "0,902"]),
    "semicolons-decimal-commas.csv": table("Date;Close", [f"{d};{str(c).replace('.', ',')}"
                                                          for _, d, _, c in ROWS]),
    "semicolons-comma-in-a-name.csv": table("Date;Close;Volume, shares",
                                            ["2020-01-02;10,5;100", "2020-01-03;11,5;200"]),
    "tabs.csv": table("Date\tClose", [f"{d}\t{c}" for _, d, _, c in ROWS]),
    "german-dotted-dates.csv": table("Datum;Schluss", ["31.12.2018;10,512", "02.01.2019;10,602"]),
    "day-first.csv": table("Date,Close", ["02/01/2018,10", "03/01/2018,11", "13/01/2018,12"]),
    "nasdaq.csv": table("Date,Close/Last,Volume,Open,High,Low",
                        [f"{u},${c:.2f},1000,${c:.2f},${c:.2f},${c:.2f}"
                         for _, _, u, c in NEWEST_FIRST]),
    "marketwatch.csv": table("Date,Open,High,Low,Close,Volume",
                             [f'{u},{c:.2f},{c:.2f},{c:.2f},"{c:,.2f}","1,234,567"'
                              for _, _, u, c in NEWEST_FIRST]),
    "investing.csv": table('"Date","Price","Open","High","Low","Vol.","Change %"',
                           [f'"{u}","{c:,.2f}","{c:,.2f}","{c:,.2f}","{c:,.2f}","3.99M","0.12%"'
                            for _, _, u, c in NEWEST_FIRST]),
    "fred-old.csv": table("DATE,NASDAQCOM", [f"{d},{'.' if i == 3 else c}"
                                             for i, d, _, c in ROWS]),
    "fred-new.csv": table("observation_date,SP500", [f"{d},{'' if i == 3 else c}"
                                                     for i, d, _, c in ROWS]),
    "yfinance-download.csv": table("Price,Close,High,Low,Open,Volume\nTicker,AAPL,AAPL,AAPL,AAPL,"
                                   "AAPL\nDate,,,,,", [f"{d},{c},{c},{c},{c},100"
                                                       for _, d, _, c in ROWS]),
    "yfinance-history.csv": table("Date,Open,High,Low,Close,Volume,Dividends,Stock Splits",
                                  [f"{d} 00:00:00{'-05:00' if i < 6 else '-04:00'},{c},{c},{c},"
                                   f"{c},100,0.0,0.0" for i, d, _, c in ROWS]),
    "split.csv": table("Date,Close,Adj Close", [f"{d},{c * (4 if i < 5 else 1)},{c}"
                                                for i, d, _, c in ROWS]),
    "repeated-dates.csv": table("Date,Close", ["2020-01-01,10", "2020-01-02,11", "2020-01-02,99",
                                               "2020-01-03,12"]),
    "several-stocks.csv": table("Symbol,Date,Close", ["AAA,2020-01-01,10", "BBB,2020-01-01,50",
                                                      "AAA,2020-01-02,11", "BBB,2020-01-02,51"]),
    "several-tickers.csv": table("Price,Close,Close\nTicker,AAPL,MSFT\nDate,,",
                                 ["2024-03-04,1,2", "2024-03-05,1,2"]),
    "byte-order-mark.csv": "\ufeffDate,Close\n2020-01-01,10\n2020-01-02,11\n".encode(),
    "utf-16.csv": "Date,Close\n2020-01-01,10\n2020-01-02,11\n".encode("utf-16"),
    "gzip-named-csv.csv": gzip.compress(b"Date,Close\n2020-01-01,10\n2020-01-02,11\n"),
    "bz2.csv.bz2": bz2.compress(b"Date,Close\n2020-01-01,10\n2020-01-02,11\n"),
    "damaged.csv.gz": gzip.compress(b"Date,Close\n2020-01-01,10\n2020-01-02,11\n")[:20],
    "empty.csv": "",
    "blank-lines.csv": "\n\n  \n",
    "header-only.csv": "Date,Close\n\n,\n",
    "text-in-close.csv": table("Date,Close", ["2020-01-01,10", "2020-01-02,ten"]),
    "minus-inf.csv": table("value", ["1.0", "-inf", "2.0"]),
    "overflow.csv": table("1.0", ["1e999"]),
    "numbers-on-one-line.csv": ",".join(["0.5"] * 1000) + "\n",
    "spaces.csv": "0.5 0.25 0.125\n",
    "two-fields-no-header.csv": "1;2\n3;4\n",
    "headerless-dates.csv": "2020-01-01,2575.2\n2020-01-02,2564.9\n",
    "uneven.csv": table("Date,Close", ["2020-01-01,10", "2020-01-02,11,12"]),
    "unclosed-quote.csv": table("Date,Close", ['2020-01-01,"10', "2020-01-02,11"]),
    "mixed-dates.csv": table("Date,Close", ["01/02/2020,10", "2020-01-03,11", "2020-01-06,12"]),
    "unreadable-dates.csv": table("Date,Close", ["2020-01-01,10", "soon,11", "2020-01-03,12"]),
    "one-row.csv": table("Date,Close", ["2020-01-01,10"]),
    "no-close.csv": table("Date,Open,Volume", ["2020-01-01,1,2", "2020-01-02,1,2"]),
    "binary.npy": b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}\xff\xfe",
    "latin-1.csv": "Date,Close\n2020-01-01,10\xe9\n".encode("latin-1"),
}


def write_cases(folder):
    """Every case as a file in `folder`, and a zip of two files; returns the names in order."""
    for name, text in CASES.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    with zipfile.ZipFile(folder / "two-files.zip", "w") as archive:
        archive.writestr("a.csv", "1\n2\n")
        archive.writestr("b.csv", "3\n4\n")
    (folder / "long.csv").write_text(table("Date,Close", [f"{day:%Y-%m-%d},{100 + i % 97}.25"
                                                          for i, day in enumerate(long_days())]))
    return [*CASES, "two-files.zip", "missing.csv"]


def long_days():
    import pandas as pd

    return pd.bdate_range("1700-01-01", periods=100_000)


def worker(code, folder, names):
    """Read each file with the series_csv.py in `code`; print one JSON object of results."""
    sys.path.insert(0, str(code))
    import series_csv
    from plumbing import InputError

    results = {}
    for name in names:
        said = StringIO()
        try:
            with redirect_stdout(said):
                series = series_csv.read_series(folder / name)
            results[name] = (f"{len(series.values)} rows, {series.columns}, "
                             f"{series.values[0, 0]:g} .. {series.values[-1, 0]:g}"
                             + (f", {series.dates[0]:%Y-%m-%d} .. {series.dates[-1]:%Y-%m-%d}"
                                if series.dates is not None else "")
                             + (f"; said {said.getvalue().strip()!r}" if said.getvalue() else ""))
        except InputError as error:
            results[name] = "refused: " + str(error).replace(str(folder) + "/", "")
        except Exception as error:  # noqa: BLE001 - a crash is a result to show
            results[name] = f"CRASH {type(error).__name__}: {error}"
    times = {}
    for name in ("sp500", "long"):
        path = REPO_ROOT / "data" / "sp500.csv" if name == "sp500" else folder / "long.csv"
        spans = []
        for _ in range(7):
            start = time.perf_counter()
            series_csv.read_series(path)
            spans.append(time.perf_counter() - start)
        times[name] = statistics.median(spans)
    print(json.dumps({"results": results, "times": times}))


def run_worker(code, folder, names):
    output = subprocess.run([sys.executable, __file__, "--worker", str(code), str(folder),
                             *names], capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default="HEAD", help="the earlier commit (default HEAD)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        code, folder, *names = args.worker
        return worker(Path(code), Path(folder), names)
    with tempfile.TemporaryDirectory() as earlier, tempfile.TemporaryDirectory() as files:
        names = write_cases(Path(files))
        unpack(args.against, earlier)
        runs = {"earlier": [], "now": []}
        for _ in range(2):  # in turns, so that both meet the same load
            runs["earlier"].append(run_worker(earlier, files, names))
            runs["now"].append(run_worker(REPO_ROOT, files, names))
    before, after = runs["earlier"][0]["results"], runs["now"][0]["results"]
    for name in names:
        if before[name] == after[name]:
            print(f"{name}: same: {after[name]}")
        else:
            print(f"{name}:\n  {args.against:>9}: {before[name]}\n  {'now':>9}: {after[name]}")
    changed = sum(before[name] != after[name] for name in names)
    print(f"\n{len(names)} files, {changed} read or refused differently")
    for name in ("sp500", "long"):
        then, now = (statistics.median(run["times"][name] for run in runs[side])
                     for side in ("earlier", "now"))
        print(f"read {name}: {args.against} {then * 1000:.1f} ms, now {now * 1000:.1f} ms, "
              f"ratio now / earlier {now / then:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
