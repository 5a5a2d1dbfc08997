"""Reading a series of prices (or any numbers) from a CSV file: the one reader of the evening.

    from series_csv import read_series
    series = read_series("data/sp500.csv")                 # Close, oldest first
    series = read_series("my.csv", ["Close", "Volume"])   # the first column is the predicted one
    series.values, series.columns, series.dates            # (rows, columns) floats, names, dates

    python series_csv.py my_stock.csv       # show what would be read (or: --ticker AAPL)

One number a line, or a header (Date, Close, ...) and a row a day, as today's sources write them:
nasdaq.com ($189.98 in Close/Last), MarketWatch, investing.com (Price; 3.99M), FRED ('.' or an
empty cell when missing), yfinance's saved tables (three header rows; dates with -05:00). pandas
reads the file; this module decides what pandas cannot, and says every problem in one sentence
(plumbing.InputError) naming the file, the line and the fix.
"""

import argparse
import csv
import io
import re
import sys
import warnings
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

import plumbing
from plumbing import InputError

DATE_NAMES = ("date", "datetime", "timestamp", "time", "observation_date")  # any case
PRICE_NAMES = ("Close", "Close/Last", "Adj Close", "Price", "Last")  # predicted, in this order
STOCK_NAMES = ("symbol", "ticker", "name", "stock")  # a text column that tells stocks apart
MISSING = [".", "-"]  # FRED's '.' and a dash, besides pandas' own (empty, nan, null, N/A...)
SCALES = {"K": 1e3, "M": 1e6, "B": 1e9}  # investing.com's volumes: 3.99M
SPLIT_DROP = 0.5  # a one-day fall of Close by more than this share, absent from Adj Close: a split
COMPRESSED = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz", b"PK\x03\x04": "zip"}
OFFSET = r"(\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(?:[+-]\d\d:?\d\d|Z)$"  # the -05:00 of 00:00:00-05:00
CSV = "data/sp500.csv"  # the file `python series_csv.py` describes when given none (from the repo)
# pandas 3 reads every digit of a number exactly by default; older pandas must be asked to
EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


class Series(NamedTuple):
    """A loaded table: one row per day (or point), the first column is the one predicted."""

    values: np.ndarray  # (rows, columns) floats
    dates: pd.DatetimeIndex | None  # one per row, or None when the file has no dates
    columns: list  # the column names, in the order of `values`
    lines: np.ndarray | None = None  # (rows,) each row's line number in the file, if read from one


def read_series(path, columns=None, symbol=None, flags=False):
    """Inputs:  path; columns, names (the first is predicted) or None (choose_columns);
             symbol, the stock to keep from a file of several; flags, True when the caller has
             --columns and --symbol, so that a message may suggest them.
    Returns: a Series, oldest row first when the file has dates, else in the file's order."""
    lines = read_lines(path)
    try:
        frame = pick_stock(read_table(lines, columns, flags), symbol, flags)
        names = choose_columns(frame, columns, flags)
        dates = read_dates(frame, names)
        names = names if columns else avoid_split(frame, names, dates)
        table = pd.DataFrame({name: numeric_column(frame, name) for name in names})
        rows = usable_rows(table if dates is None else table.assign(date=dates))
    except InputError as error:  # the messages below name no file: name it once, here
        raise InputError(f"{path}: {error}") from None
    dates = None if dates is None else pd.DatetimeIndex(rows.pop("date"))
    return Series(rows.to_numpy(dtype=float), dates, names, rows.index.to_numpy())


def check_no_zeros(series, path):
    """Normalising divides each window by its first row, so no value may be 0: name the first."""
    rows, columns = np.nonzero(series.values == 0)
    if len(rows):
        row, name = rows[0], series.columns[columns[0]]
        where = f"line {series.lines[row]}" if series.lines is not None else f"row {row + 1}"
        when = f" ({series.dates[row]:%Y-%m-%d})" if series.dates is not None else ""
        fix = ("use --no-normalise for data that reaches zero" if columns[0] == 0
               else f"leave {name!r} out of --columns")
        raise InputError(f"{path}: {where}{when} has {name} = 0, and normalising divides each "
                         f"window by its first value; {fix}.")


# %% The file, its table and its numbers
def shorten(text, length=40):
    """Text cut to `length` characters for a message."""
    return text if len(text) <= length else text[:length] + "..."


def read_lines(path):
    """The file's lines, as pandas reads them: compressed or not (by its name, or its first
    bytes when its name does not say), UTF-8 with or without a byte-order mark, or UTF-16."""
    path = Path(path)
    plumbing.check_input(path, "file", "check the path (the workshop's own data comes back "
                         "with `python data/make_data.py`)")
    try:
        with open(path, "rb") as file:
            start = file.read(6)
        kind = next((kind for mark, kind in COMPRESSED.items() if start.startswith(mark)), None)
        utf16 = start.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16's byte-order marks
        lines = pd.read_csv(path, sep="\x1f", names=[0], quoting=csv.QUOTE_NONE, dtype=str,
                            na_filter=False, skip_blank_lines=False, compression=kind or "infer",
                            encoding="utf-16" if utf16 else "utf-8-sig")[0].tolist()
    except UnicodeDecodeError:  # (\x1f is never in text: each line is one field, quotes and all)
        raise InputError(f"{path} is not UTF-8 text; save it as a UTF-8 CSV file and try "
                         "again.") from None
    except OSError as error:
        raise InputError(f"Could not read {path} ({error.strerror or error}); check that it is "
                         "a file you may read.") from None
    except Exception:  # noqa: BLE001 - whatever a decompressor says of a damaged file
        raise InputError(f"{path} is a damaged {kind or path.suffix.lstrip('.')} file, or a zip of "
                         "several; download it again, or give the CSV itself.") from None
    if not any(line.strip() for line in lines):
        raise InputError(f"{path} is empty; give a CSV with one number a line, or a header "
                         "row such as Date,Close and one row a day.")
    return lines


def number_format(rows, separator):
    """pandas' decimal and thousands options for the numbers in `rows` (the data's text): a
    comma in a number (quoted, in a file split by commas) before other than three digits is a
    decimal one (2575,21); else commas split thousands when the file also writes a decimal
    point (2,575.21) or a number holds two (1,234,567), and are decimal when not (0,841)."""
    numbers = rows if separator != "," else " ".join(re.findall(r'"[^"]*"', rows))
    if not re.search(r"\d,\d", numbers):
        return {"decimal": ".", "thousands": None}
    if re.search(r"\d,(?!\d{3}(?!\d))\d", numbers):  # 2575,21: not three digits after it
        return {"decimal": ",", "thousands": None}
    point = re.search(r"(?<![\d.])\d+\.\d+(?![\d.])|\d,\d{3},\d", rows)  # 2575.21, 1,234,567
    return {"decimal": ".", "thousands": ","} if point else {"decimal": ",", "thousands": None}


def is_number(text):
    """True for text such as 1.5, -2e3, or numbers split by spaces (1 2: named later)."""
    try:
        return all(float(part) is not None for part in text.split()) and bool(text.split())
    except ValueError:
        return False


def check_first_line(rows, separator, columns, flags):
    """True when the first of `rows` (the lines that are not blank) holds numbers, not names:
    then the file must hold one number a line, or Excel's decimal commas (0,841) one a line."""
    fields = rows[0].split(separator)
    numbers = [is_number(field) for field in fields]
    if any(numbers) and not all(numbers):
        raise InputError(f"the first line, {shorten(rows[0])!r}, mixes numbers and names; add a "
                         "header row such as Date,Close above the data.")
    if not all(numbers):
        return False
    if columns:
        fix = "leave out --columns" if flags else "add a header row such as Date,Close"
        raise InputError(f"there is no header row, so no column named {columns[0]!r}; {fix}.")
    if separator == "," and all(re.fullmatch(r"[+-]?\d+,\d+", row) for row in rows):
        print(f"Reading one number a line with a decimal comma ({rows[0]} is "
              f"{rows[0].replace(',', '.')}).")
    elif len(fields) > 1 and len(rows) == 1:
        raise InputError(f"it holds {len(fields):,} numbers on one line; write one number a "
                         "line, or add a header row such as Date,Close above one row a day.")
    elif len(fields) > 1:
        raise InputError(f"there is no header row but {len(fields):,} fields a line, such as "
                         f"{shorten(rows[0])!r}; write one number a line with a decimal point "
                         "(2575.21, not 2575,21), or add a header row such as Date,Close.")
    return True


def read_table(lines, columns, flags):
    """The file as a table of the names in its header (or "value"), indexed by line number;
    yfinance's three header rows (Price, Ticker, Date) as one. Blank lines are left out."""
    first = next(number for number, line in enumerate(lines) if line.strip())
    text, head = lines[first:], lines[first].strip()  # from the first line that is not blank
    try:  # what read_csv(sep=None) runs, on a sample as the csv docs do, among the usual marks
        separator = csv.Sniffer().sniff(head[:1024], delimiters=",;\t").delimiter
    except csv.Error:  # none of them: one column (where sep=None would split at a letter)
        separator = "\t"
    headerless = check_first_line([line.strip() for line in text if line.strip()], separator,
                                  columns, flags)
    separator = "\t" if headerless else separator  # one number a line: no separator
    options = number_format("\n".join(text[0 if headerless else 1:]), separator)
    try:
        frame = pd.read_csv(io.StringIO("\n".join(text)), sep=separator, index_col=False,
                            header=None if headerless else 0, skipinitialspace=True,
                            skip_blank_lines=False, na_values=MISSING, **options, **EXACT)
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[-1]
        raise InputError(f"the rows are not an even table ({detail}); give every row the same "
                         "fields as the first.") from None
    frame.columns = ["value"] if headerless else [str(name).strip() for name in frame.columns]
    frame.index += first + (1 if headerless else 2)  # line numbers from 1
    if list(frame.iloc[:2, 0]) == ["Ticker", "Date"]:  # yfinance's second and third header rows
        if frame.iloc[0, 1:].nunique() > 1:
            raise InputError(f"it holds the prices of several tickers side by side "
                             f"({shorten(text[1].strip())!r}); download one ticker a file.")
        frame = frame.iloc[2:].rename(columns={frame.columns[0]: "Date"})  # not Price
    frame = frame.drop(index=[n for n in frame.index if not lines[n - 1].strip(" \t,;")])
    if frame.empty:
        raise InputError(f"it holds only the header row {shorten(head)!r} and no numbers; add "
                         "the data below it, one row a line.")
    frame.attrs["thousands"] = options["thousands"]  # for the numbers pandas leaves as text
    return frame


def numeric_column(frame, name):
    """A column as floats, missing cells NaN; text and infinities are refused, naming the first.
    The marks pandas leaves as text are read here: $189.98, -0.52%, 3.99M."""
    column = numbers = frame[name]
    if not pd.api.types.is_numeric_dtype(column):
        text = column.fillna("").astype(str).str.strip().str.replace(r"^\$|%$", "", regex=True)
        text = text.str.replace(frame.attrs.get("thousands") or "\0", "", regex=False)
        scale = text.str[-1:].str.upper().map(SCALES).astype(float).fillna(1.0)
        read = pd.to_numeric(text.where(scale == 1, text.str[:-1]), errors="coerce")
        numbers = scale * read.astype(float)
    bad = column[(numbers.isna() & column.notna()) | np.isinf(numbers)]
    if len(bad):
        line, cell = bad.index[0], str(bad.iloc[0])
        if len(cell.split()) > 1 and is_number(cell) and len(frame.columns) == 1:
            raise InputError(f"line {line} holds {len(cell.split()):,} numbers separated by "
                             f"spaces ({shorten(cell)!r}); write one number a line, or separate "
                             "columns with commas under a header row such as Date,Close.")
        kind = "finite number" if np.isinf(numbers[line]) else "number"
        where = f" in column {name!r}" if len(frame.columns) > 1 else ""  # a file of one column
        raise InputError(f"line {line} holds {shorten(cell)!r}{where}, which is not a {kind}; "
                         "correct it, or delete it to skip that row.")
    return numbers.astype(float)


# %% Which rows and columns
def pick_stock(frame, symbol, flags):
    """Only one stock's rows, when a text column (symbol, ticker, name) tells several apart."""
    names = [name for name in frame.columns if name.lower() in STOCK_NAMES
             and not pd.api.types.is_numeric_dtype(frame[name])]
    if not names:
        if symbol is not None:
            raise InputError("no column tells stocks apart (such as symbol, ticker or name)"
                             + ("; leave out --symbol." if flags else "."))
        return frame
    labels = frame[names[0]].astype("string").str.strip()
    stocks = list(labels.dropna().unique())
    listed = ", ".join(stocks[:5]) + (f" and {len(stocks) - 5} more" if len(stocks) > 5 else "")
    if symbol is None and len(stocks) > 1:
        fix = (f"pick one with --symbol {stocks[0]}" if flags
               else "save the rows of one stock in a file of their own")
        raise InputError(f"it holds {len(stocks)} stocks told apart by its {names[0]!r} column "
                         f"({listed}); {fix}.")
    if symbol is None:
        return frame
    chosen = (labels.str.upper() == symbol.strip().upper()).fillna(False).to_numpy(dtype=bool)
    if not chosen.any():
        raise InputError(f"no rows have {symbol!r} as their {names[0]!r}; its stocks are "
                         f"{listed}" + (" (pick one with --symbol)." if flags else "."))
    print(f"Using the {chosen.sum():,} rows whose {names[0]!r} is {symbol} (the file holds "
          f"{len(stocks)} stocks).")
    return frame[chosen]


def choose_columns(frame, columns, flags):
    """The columns to use, the predicted one first (in any case): `columns`, else the first of
    PRICE_NAMES (never passed over: numeric_column names its bad value), else the only column
    that is not a date or a stock (a FRED series), else the only column of numbers."""
    by_lower = {str(name).lower(): name for name in frame.columns}
    missing = [name for name in columns or [] if name.lower() not in by_lower]
    if missing:
        raise InputError(f"there is no column named {missing[0]!r}; its columns are "
                         f"{', '.join(map(str, frame.columns))}"
                         + (" (pick with --columns)." if flags else "."))
    prices = [by_lower[name.lower()] for name in columns or PRICE_NAMES if name.lower() in by_lower]
    data = [name for name in frame.columns if name.lower() not in DATE_NAMES + STOCK_NAMES]
    numeric = [name for name in data if pd.api.types.is_numeric_dtype(frame[name])]
    if prices or len(data) == 1 or len(numeric) == 1:
        return prices if columns else prices[:1] or (data if len(data) == 1 else numeric)
    found = (f"{len(numeric)} columns of numbers ({', '.join(numeric)})" if numeric
             else "no column of numbers")
    fix = ("name the one to predict with --columns" if flags
           else "keep only the column to predict, or call it Close")
    raise InputError(f"there is no Close column and {found}; {fix}.")


def avoid_split(frame, names, dates):
    """Adj Close instead of Close when Close falls by more than SPLIT_DROP in a day and Adj
    Close does not: a split (4 new shares for 1 old: -75%), not a crash to learn. Says so."""
    adjusted = {str(name).lower(): name for name in frame.columns}.get("adj close")
    if [str(name).lower() for name in names] != ["close"] or adjusted is None:
        return names
    both = frame[[names[0], adjusted]].apply(pd.to_numeric, errors="coerce").set_axis(
        dates if dates is not None else frame.index).dropna().sort_index(kind="stable")
    change = both / both.shift() - 1  # each day's move
    split = (change[names[0]] < -SPLIT_DROP) & (change[adjusted] >= -SPLIT_DROP)
    if split.any():
        day = f"{split.idxmax():%Y-%m-%d}" if dates is not None else f"line {split.idxmax()}"
        print(f"{names[0]} drops {-change[names[0]][split].iloc[0]:.0%} on {day}, a stock split "
              f"that {adjusted} corrects; using {adjusted}.")
    return [adjusted] if split.any() else names


def usable_rows(table):
    """The rows with every value present (an empty date is a missing one), oldest first (the
    last row of a repeated date kept) when there is a date column; each dropping counted."""
    complete = table.dropna()
    if len(complete) < len(table):
        gone = len(table) - len(complete)
        print(f"Dropped {gone} row{'' if gone == 1 else 's'} with missing values.")
    if "date" in complete:
        complete = complete.sort_values("date", kind="stable")  # equal dates keep file order
        repeated = complete["date"].duplicated(keep="last")
        if repeated.any():
            print(f"Dropped {repeated.sum()} row{'' if repeated.sum() == 1 else 's'} whose date "
                  "comes again later in the file (kept the last row of each date).")
        complete = complete[~repeated]
    if len(complete) < 2:
        raise InputError(f"it has {len(complete)} usable rows; a series needs many more.")
    return complete


# %% Dates
def read_dates(frame, names):
    """The dates in the column named as in DATE_NAMES, else in the first column when most of
    it reads as dates; None without. Month first (12/31/2018) unless day first reads more; a
    UTC offset is dropped, keeping the exchange's own date (2024-03-08 00:00:00-05:00)."""
    named = [name for name in frame.columns if name.lower() in DATE_NAMES]
    name = named[0] if named else frame.columns[0]
    if not named and (name in names or pd.api.types.is_numeric_dtype(frame[name])):
        return None
    texts = frame[name].fillna("").astype(str).str.strip()
    given = texts != ""  # an empty date is a missing value
    if re.search(OFFSET, texts[given].iloc[0] if given.any() else ""):  # only files that write it
        texts = texts.str.replace(OFFSET, r"\1", regex=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' notes on the format it guessed
        dates = pd.to_datetime(texts.where(given), errors="coerce")
        if (given & dates.isna()).any():  # 13/01/2018 unread month first: day first?
            other = pd.to_datetime(texts.where(given), errors="coerce", dayfirst=True)
            dates = other if other.isna().sum() < dates.isna().sum() else dates
    unread = given & dates.isna()
    if not named and unread.sum() * 2 >= given.sum():
        return None  # a first column of names or codes, not dates
    if unread.any():
        line, example = unread.idxmax(), str(frame[name][unread].iloc[0])
        if pd.notna(pd.to_datetime(example, format="mixed", errors="coerce")):  # read alone
            raise InputError(f"column {name!r} mixes date formats, such as "
                             f"{str(frame[name][dates.notna()].iloc[0])!r} and {example!r} "
                             f"(line {line}); write them all as YYYY-MM-DD.")
        raise InputError(f"column {name!r} holds {unread.sum()} dates that cannot be read, such "
                         f"as {shorten(example)!r} (line {line}); write them as YYYY-MM-DD.")
    return dates


# %% Command line: show what would be read
def describe(args):
    """Print what run_lstm.py would read from the CSV or the ticker: rows, dates, columns."""
    if args.ticker:
        import prices

        prices.check_can_fetch(args.ticker, args.refresh)
        args.csv = prices.fetch(args.ticker, args.refresh)
    columns = [name.strip() for name in args.columns.split(",")] if args.columns else None
    series = read_series(args.csv or plumbing.repo_root() / CSV, columns, args.symbol, True)
    dates = "" if series.dates is None else (f", {series.dates[0]:%Y-%m-%d} .. "
                                             f"{series.dates[-1]:%Y-%m-%d}")
    print(f"{args.csv or CSV}: {len(series.values):,} rows{dates}; columns {series.columns}, "
          f"the first is predicted; first row {series.values[0]}, last {series.values[-1]}")


def main(argv=None):
    """Show what run_lstm.py would read from a CSV, without training anything."""
    parser = argparse.ArgumentParser(description="Show what run_lstm.py would read from a CSV.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("csv", nargs="?", help="a file of one number a line, or with a header "
                        f"row (default: {CSV})")
    source.add_argument("--ticker", help="fetch this ticker's daily prices (AAPL; fred:SP500)")
    parser.add_argument("--refresh", action="store_true", help="fetch the ticker again")
    parser.add_argument("--columns", help="columns to read, the predicted one first")
    parser.add_argument("--symbol", help="the stock to read from a file of several")
    return plumbing.run_main(lambda: describe(parser.parse_args(argv)))


if __name__ == "__main__":
    if plumbing.in_notebook():
        main([])  # a notebook's last cell: describe the S&P 500
    else:
        sys.exit(main())
