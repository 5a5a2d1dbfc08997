"""Reading a series of prices (or any numbers) from a CSV file: the one reader of the evening.

    series = read_series("data/sp500.csv")                # Close, oldest first
    series = read_series("my.csv", ["Close", "Volume"])  # the first column is the one predicted
    series.values, series.columns, series.dates           # (rows, columns) floats, names, dates
    python series_csv.py my_stock.csv                     # what would be read (or --ticker AAPL)

pandas reads the file (compressed or not, its encoding, quotes, missing values, dates). This
module decides what pandas cannot (the separator, as a comma may be a decimal one; a decimal or a
thousands comma; which column, which stock; a split; the shapes of nasdaq.com, MarketWatch,
investing.com, FRED and yfinance files) and says every problem in one sentence
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
    """The Series in `path`: `columns` (the first predicted) or the close; `symbol`'s rows of a
    file of several stocks; `flags` when the caller has --columns and --symbol to suggest.
    Oldest row first when the file has dates, else in the file's order."""
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


# %% The file, its table and its numbers
def shorten(text, length=40):
    return text if len(text) <= length else text[:length] + "..."


def read_lines(path):
    """The lines that hold more than separators, by line number: compressed by the file's name
    or its first bytes, or not; UTF-8 with or without a byte-order mark, or UTF-16."""
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
                            encoding="utf-16" if utf16 else "utf-8-sig")[0]
    except UnicodeDecodeError:  # (\x1f is never in text: each line is one field, quotes and all)
        raise InputError(f"{path} is not UTF-8 text; save it as a UTF-8 CSV file and try "
                         "again.") from None
    except OSError as error:
        raise InputError(f"Could not read {path} ({error.strerror or error}); check that it is "
                         "a file you may read.") from None
    except Exception as error:  # noqa: BLE001 - whatever a decompressor says of a damaged file
        if "Multiple files" in str(error):  # pandas reads a zip of one file only
            raise InputError(f"{path} is a zip of several files; unzip it and give the CSV "
                             "itself.") from None
        raise InputError(f"{path} is a damaged {kind or path.suffix.lstrip('.')} file; download "
                         "it again, or give the CSV itself.") from None
    lines.index += 1  # line numbers, from 1
    lines = lines[lines.str.strip(" \t,;") != ""]  # blank lines hold at most separators
    if lines.empty:
        raise InputError(f"{path} is empty; give a CSV with one number a line, or a header "
                         "row such as Date,Close and one row a day.")
    return lines


def number_format(rows, separator):
    """pandas' decimal and thousands marks for the numbers in `rows` (the data's text). A comma
    in a number (quoted, where commas split fields) is a decimal one before other than three
    digits (2575,21); before three, it splits thousands where a decimal point is written too
    (2,575.21) or a number holds two (1,234,567), and is a decimal one where not (0,841)."""
    numbers = rows if separator != "," else " ".join(re.findall(r'"[^"]*"', rows))
    if not re.search(r"\d,\d", numbers):
        return {"decimal": ".", "thousands": None}
    if re.search(r"\d,(?!\d{3}(?!\d))\d", numbers):  # 2575,21: not three digits after it
        return {"decimal": ",", "thousands": None}
    point = re.search(r"(?<![\d.])\d+\.\d+(?![\d.])|\d,\d{3},\d", rows)  # 2575.21, 1,234,567
    return {"decimal": ".", "thousands": ","} if point else {"decimal": ",", "thousands": None}


def is_number(text):
    """True for 1.5 or -2e3, and for numbers split by spaces (1 2), which are refused later."""
    try:
        return len([float(part) for part in text.split()]) > 0
    except ValueError:
        return False


def check_first_line(lines, separator, columns, flags):
    """True when the first of `lines` holds numbers, not names: then it must be one number a
    line, with a decimal point or a decimal comma (0,841) on every line."""
    first = lines.iloc[0].strip()
    numbers = [is_number(field) for field in first.split(separator)]
    if not any(numbers):
        return False
    if not all(numbers):
        raise InputError(f"the first line, {shorten(first)!r}, mixes numbers and names; add a "
                         "header row such as Date,Close above the data.")
    if columns:
        fix = "leave out --columns" if flags else "add a header row such as Date,Close"
        raise InputError(f"there is no header row, so no column named {columns[0]!r}; {fix}.")
    if separator == "," and lines.str.strip().str.fullmatch(r"[+-]?\d+,\d+").all():
        print(f"Reading one number a line with a decimal comma ({first} is "
              f"{first.replace(',', '.')}).")
    elif len(numbers) > 1:
        where = "its only line" if len(lines) == 1 else "the first line"
        raise InputError(f"there is no header row, but {len(numbers):,} numbers on {where} "
                         f"({shorten(first)!r}); write one number a line with a decimal point "
                         "(2575.21, not 2575,21), or add a header row such as Date,Close above "
                         "one row a day.")
    return True


def read_table(lines, columns, flags):
    """The table under the header (or of one column, "value"), indexed by line number;
    yfinance's three header rows (Price, Ticker, Date) read as one."""
    head = lines.iloc[0].strip()  # split by tabs, else semicolons (a comma may be a decimal one)
    separator = next((mark for mark in "\t;," if mark in head), "\t")  # else: one column
    headerless = check_first_line(lines, separator, columns, flags)
    separator, body = ("\t", lines) if headerless else (separator, lines.iloc[1:])
    options = number_format("\n".join(body.tolist()), separator)
    try:
        frame = pd.read_csv(io.StringIO("\n".join(lines.tolist())), sep=separator,
                            header=None if headerless else 0, index_col=False,
                            skipinitialspace=True, na_values=MISSING, **options, **EXACT)
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[-1]
        raise InputError(f"the rows are not an even table ({detail}); give every row the same "
                         "fields as the first.") from None
    frame.columns = ["value"] if headerless else [str(name).strip() for name in frame.columns]
    frame.index = body.index[:len(frame)]  # a row a line (a quoted line break would shift them)
    if list(frame.iloc[:2, 0]) == ["Ticker", "Date"]:  # yfinance's second and third header rows
        if frame.iloc[0, 1:].nunique() > 1:
            raise InputError(f"it holds the prices of several tickers side by side "
                             f"({shorten(body.iloc[0].strip())!r}); download one ticker a file.")
        frame = frame.iloc[2:].rename(columns={frame.columns[0]: "Date"})  # not Price
    if frame.empty:
        raise InputError(f"it holds only the header row {shorten(lines.iloc[0].strip())!r} and "
                         "no numbers; add the data below it, one row a line.")
    frame.attrs["thousands"] = options["thousands"]  # for the numbers pandas leaves as text
    return frame


def numeric_column(frame, name):
    """The column as floats, missing cells NaN; text and infinities refused, the first named.
    Read here, as pandas leaves them text: $189.98, -0.52%, 3.99M."""
    column = numbers = frame[name]
    if not pd.api.types.is_numeric_dtype(column):
        text = column.fillna("").astype(str).str.strip().str.replace(r"^\$|%$", "", regex=True)
        text = text.str.replace(frame.attrs.get("thousands") or "\0", "", regex=False)
        scale = text.str[-1:].str.upper().map(SCALES).astype(float).fillna(1.0)
        numbers = scale * pd.to_numeric(text.where(scale == 1, text.str[:-1]), errors="coerce")
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
    if not names and symbol is not None:
        raise InputError("no column tells stocks apart (such as symbol, ticker or name)"
                         + ("; leave out --symbol." if flags else "."))
    labels = frame[names[0]].astype("string").str.strip() if names else pd.Series()
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
    """The columns to use, the predicted first, in any case: `columns`, else the first of
    PRICE_NAMES (never passed over: numeric_column names its bad value), else the only column
    that is not a date or a stock (a FRED series), else the only column of numbers."""
    by_lower = {str(name).lower(): name for name in frame.columns}
    if missing := [name for name in columns or [] if name.lower() not in by_lower]:
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
    if not split.any():
        return names
    day = f"{split.idxmax():%Y-%m-%d}" if dates is not None else f"line {split.idxmax()}"
    print(f"{names[0]} drops {-change[names[0]][split].iloc[0]:.0%} on {day}, a stock split "
          f"that {adjusted} corrects; using {adjusted}.")
    return [adjusted]


def usable_rows(table):
    """The rows with every value present (an empty date is missing too), oldest first with a
    date column, the last row of a repeated date kept; each dropping counted."""
    complete = table.dropna()
    if gone := len(table) - len(complete):
        print(f"Dropped {gone} row{'' if gone == 1 else 's'} with missing values.")
    if "date" in complete:
        complete = complete.sort_values("date", kind="stable")  # equal dates keep file order
        if (repeated := complete["date"].duplicated(keep="last")).any():
            print(f"Dropped {repeated.sum()} row{'' if repeated.sum() == 1 else 's'} whose date "
                  "comes again later in the file (kept the last row of each date).")
        complete = complete[~repeated]
    if len(complete) < 2:
        raise InputError(f"it has {len(complete)} usable row{'' if len(complete) == 1 else 's'}; "
                         "a series needs many more.")
    return complete


# %% Dates
def read_dates(frame, names):
    """The dates of the column named as in DATE_NAMES, else of the first column when most of it
    reads as dates; else None. Month first (12/31/2018) unless day first reads more; a UTC
    offset dropped, keeping the exchange's own date (2024-03-08 00:00:00-05:00)."""
    named = [name for name in frame.columns if name.lower() in DATE_NAMES]
    name = named[0] if named else frame.columns[0]
    if not named and (name in names or pd.api.types.is_numeric_dtype(frame[name])):
        return None
    texts = frame[name].fillna("").astype(str).str.strip()
    texts = texts.where(texts != "")  # an empty date is a missing value
    if re.search(OFFSET, texts.dropna().iloc[0] if texts.notna().any() else ""):  # written
        texts = texts.str.replace(OFFSET, r"\1", regex=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' notes on the format it guessed
        dates = pd.to_datetime(texts, errors="coerce")
        if (texts.notna() & dates.isna()).any():  # 13/01/2018 unread month first: day first?
            other = pd.to_datetime(texts, errors="coerce", dayfirst=True)
            dates = other if other.isna().sum() < dates.isna().sum() else dates
    unread = texts.notna() & dates.isna()
    if not named and unread.sum() * 2 >= texts.notna().sum():
        return None  # a first column of names or codes, not dates
    if unread.any():
        line, example, read = unread.idxmax(), texts[unread].iloc[0], texts[dates.notna()]
        if read.size and pd.notna(pd.to_datetime(example, format="mixed", errors="coerce")):
            problem = f"mixes date formats, such as {read.iloc[0]!r} and {example!r}"
        else:
            count = unread.sum()
            problem = (f"holds {count} unreadable date{'s' if count > 1 else ''}, such as "
                       f"{shorten(example)!r}")
        raise InputError(f"column {name!r} {problem} (line {line}); write them all as YYYY-MM-DD.")
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
    source.add_argument("csv", nargs="?", help=f"a file of prices (default: {CSV})")
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
