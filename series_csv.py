"""Reading a series of prices (or any numbers) from a CSV file: the one reader of the evening.

    from series_csv import read_series
    series = read_series("data/sp500.csv")                 # Close, sorted by date
    series = read_series("my.csv", ["Close", "Volume"])   # the first column is the predicted one
    series.values, series.columns, series.dates            # (rows, columns) floats, names, dates

    python series_csv.py my_stock.csv       # show what would be read (python lstm.py does too)

A file holds one number a line, or a header row (Date, Close, ...) and then one row a day. It may
be split by commas, semicolons or tabs, write decimal commas (2575,21) or thousands separators
("2,575.21"), start with a byte-order mark, and be compressed (.csv.gz, .bz2, .xz, .zip). pandas
reads the table; this module decides how, and turns every problem into one plain sentence
(plumbing.InputError) that names the file and the fix. It needs no Keras.
"""

import argparse
import bz2
import codecs
import gzip
import io
import lzma
import re
import sys
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

import plumbing
from plumbing import InputError

DATE_NAMES = ("date", "datetime", "timestamp", "time")  # header names read as dates (any case)
PREFERRED_COLUMNS = ("Close", "Adj Close")  # the price to predict (any case: close too)
STOCK_NAMES = ("symbol", "ticker", "name", "stock")  # a text column that tells stocks apart
SPLIT_DROP = 0.5  # a one-day fall of Close by more than this share, absent from Adj Close: a split
SEPARATORS = ",;\t"  # the field separators a CSV may use, the usual one first
CSV = "data/sp500.csv"  # the file `python series_csv.py` describes when given none (from the repo)


class Series(NamedTuple):
    """A loaded table: one row per day (or point), the first column is the one predicted."""

    values: np.ndarray  # (rows, columns) floats
    dates: pd.DatetimeIndex | None  # one per row, or None when the file has no dates
    columns: list  # the column names, in the order of `values`
    lines: np.ndarray | None = None  # (rows,) each row's line number in the file, if read from one


def read_series(path, columns=None, symbol=None, flags=False):
    """Read a CSV of prices: one number a line, or a header (Date, Close, ...) and a row a day.

    Inputs:  path; columns, a list of names (the first is predicted) or None for Close (or
             Adj Close when Close holds a split that Adj Close corrects), else Adj Close, else
             the only numeric column, else the only column that is not a date or a stock's
             name; symbol, the stock to keep when a column (symbol, ticker, name) tells several
             apart; flags, True when the caller's command line has --columns and --symbol, so
             that a message may suggest them.
    Returns: a Series (values (rows, columns), dates or None, column names, line numbers),
             sorted by date when the file has dates, else in the file's order.
    """
    text = read_text(path)
    try:
        frame = pick_stock(read_table(text, columns, flags), symbol, flags)
        names = choose_columns(frame, columns, flags)
        dates = read_dates(frame, names)
        if columns is None:
            names = avoid_split(frame, names, dates)
        table = pd.DataFrame({name: numeric_column(frame, name) for name in names})
        if dates is not None:
            table["date"] = dates  # an empty date counts as a missing value
        rows = usable_rows(table, dates is not None)
    except InputError as error:  # the messages below name no file: name it once, here
        raise InputError(f"{path}: {error}") from None
    found_dates = pd.DatetimeIndex(rows["date"]) if dates is not None else None
    return Series(rows[names].to_numpy(dtype=float), found_dates, list(names),
                  rows.index.to_numpy())


def check_no_zeros(series, path):
    """Normalising divides each window by its first row, so no value may be 0: name the first.

    Call it before normalising; it names the file's line (and date) and the way out.
    """
    rows, columns = np.nonzero(series.values == 0)
    if not len(rows):
        return
    row, name = rows[0], series.columns[columns[0]]
    where = f"line {series.lines[row]}" if series.lines is not None else f"row {row + 1}"
    when = f" ({series.dates[row]:%Y-%m-%d})" if series.dates is not None else ""
    fix = ("use --no-normalise for data that reaches zero" if columns[0] == 0
           else f"leave {name!r} out of --columns")
    raise InputError(f"{path}: {where}{when} has {name} = 0, and normalising divides each "
                     f"window by its first value; {fix}.")


# %% The file's text
def shorten(text, length=40):
    """Text cut to `length` characters for a message, with ... where it was cut."""
    return text if len(text) <= length else text[:length] + "..."


def decompress(data, path):
    """The bytes inside a gzip, bz2, xz or zip file (told by its first bytes), else `data`.

    pandas would uncompress by the file's ending, but the reader needs the text itself first
    (to find the separator, the header and each row's line number), so it opens it here.
    """
    openers = {b"\x1f\x8b": ("gzip", gzip.decompress), b"BZh": ("bz2", bz2.decompress),
               b"\xfd7zXZ\x00": ("xz", lzma.decompress), b"PK\x03\x04": ("zip", unzip)}
    for start, (kind, opener) in openers.items():
        if data.startswith(start):
            try:
                inside = opener(data)
            except (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile):
                raise InputError(f"{path} is a damaged {kind} file; download or compress it "
                                 "again.") from None
            if inside is None:
                raise InputError(f"{path} is a zip archive of several files; unzip it and give "
                                 "the CSV itself.")
            return inside
    return data


def unzip(data):
    """The one file inside a zip archive (a download often comes zipped), or None."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = [item for item in archive.infolist() if not item.is_dir()]
        return archive.read(files[0]) if len(files) == 1 else None


def read_text(path):
    """The file's text, or a plain sentence saying why it cannot be read.

    UTF-8, with or without a byte-order mark (which is dropped), or UTF-16 with its mark (Excel's
    "Unicode text"); plain or compressed.
    """
    path = Path(path)
    plumbing.check_input(path, "file", "check the path (the workshop's own data comes back "
                         "with `python data/make_data.py`)")
    try:
        data = decompress(path.read_bytes(), path)
    except OSError as error:
        raise InputError(f"Could not read {path} ({error.strerror or error}); check that it is "
                         "a file you may read.") from None
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")  # either drops the mark
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save it as a UTF-8 CSV file and try "
                         "again.") from None
    if not text.strip():
        raise InputError(f"{path} is empty; give a CSV with one number a line, or a header "
                         "row such as Date,Close and one row a day.")
    return text


# %% The table: separator, header, numbers
def field_separator(first_line):
    """Whichever of comma, semicolon and tab the first line holds most of (a comma on a tie),
    or a tab when it holds none: a file of one column, whose numbers may hold commas (0,841).

    pandas can sniff it too (sep=None), but guesses wrong on a file of one column.
    """
    counts = {mark: first_line.count(mark) for mark in SEPARATORS}
    return max(counts, key=counts.get) if any(counts.values()) else "\t"


def number_format(rows, separator):
    """pandas' decimal and thousands options for the numbers in `rows` (the data's text).

    The rule that tells a decimal comma from a thousands separator, for the commas inside
    numbers (every comma of a file split by ; or tabs or of one column; in a file split by
    commas, those within quotes):
    - a comma followed by other than exactly three digits is a decimal comma (2575,21; 1,5);
    - else the commas separate thousands when the file also writes a decimal point (2,575.21;
      "877,000" beside 2575.21) or a number holds two of them (1,234,567), and they are
      decimal commas when it does not (0,841; 10,512 beside dates such as 31.12.2018).
    """
    numbers = rows if separator != "," else " ".join(re.findall(r'"[^"]*"', rows))
    if not re.search(r"\d,\d", numbers):
        return {"decimal": ".", "thousands": None}
    if re.search(r"\d,(?!\d{3}(?!\d))\d", numbers):  # 2575,21: not three digits after it
        return {"decimal": ",", "thousands": None}
    point = re.search(r"(?<![\d.])\d+\.\d+(?![\d.])|\d,\d{3},\d", rows)  # 2575.21, 1,234,567
    return {"decimal": ".", "thousands": ","} if point else {"decimal": ",", "thousands": None}


def is_number(text):
    """True for text such as 1.5 or -2e3."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def has_header(fields, first_line):
    """True when the first line holds names (Date, Close, ...), False when it holds numbers."""
    numbers = [is_number(field) for field in fields]
    if all(numbers):
        return False
    if any(numbers):
        raise InputError(f"the first line, {shorten(first_line)!r}, mixes numbers and names; "
                         "add a header row such as Date,Close above the data.")
    return True


def decimal_comma_lines(body):
    """True for a file of lines such as 0,841 and nothing else: one number a line, written
    with a decimal comma (as Excel saves one column where the comma is the decimal mark)."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    return all(re.fullmatch(r"[+-]?\d+,\d+", line) for line in lines)


def check_headerless(fields, body, columns, flags):
    """A file without a header row must hold one number a line (its column is "value")."""
    if columns:
        fix = "leave out --columns" if flags else "add a header row such as Date,Close"
        raise InputError(f"there is no header row, so no column named {columns[0]!r}; {fix}.")
    if len(fields) > 1 and "\n" not in body.strip():
        raise InputError(f"it holds {len(fields):,} numbers on one line; write one number a "
                         "line, or add a header row such as Date,Close above one row a day.")
    if len(fields) > 1:
        raise InputError(f"there is no header row but {len(fields):,} fields a line, such as "
                         f"{shorten(body.splitlines()[0].strip())!r}; write one number a line "
                         "with a decimal point (2575.21, not 2575,21), or add a header row "
                         "such as Date,Close.")


def check_spaced_numbers(body, first_line):
    """In a file of one column, name the first line that holds numbers split by spaces (1 2)."""
    number = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
    found = re.search(rf"(?m)^ *{number}(?: +{number})+ *\r?$", body)
    if found:
        line = found.group().strip()
        raise InputError(f"line {first_line + body[:found.start()].count(chr(10))} holds "
                         f"{len(line.split()):,} numbers separated by spaces "
                         f"({shorten(line)!r}); write one number a line, or separate columns "
                         "with commas under a header row such as Date,Close.")


# pandas 3 reads every digit of a number exactly by default; older pandas must be asked to
EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def parse_csv(text, **options):
    """pandas' read_csv on the text, with its complaints about uneven rows as one sentence."""
    try:
        return pd.read_csv(io.StringIO(text), skipinitialspace=True, skip_blank_lines=False,
                           **EXACT, **options)
    except pd.errors.ParserError as error:
        detail = str(error).strip().splitlines()[-1]
        raise InputError(f"the rows are not an even table ({detail}); give every row the same "
                         "fields as the first.") from None


def read_table(text, columns, flags):
    """The file as a table, indexed by each row's line number in the file.

    A header row gives the columns their names; a file without one must hold one number a
    line, and its column is called "value".
    """
    body = text.lstrip("\r\n")  # blank lines above the table
    first_number = text[:len(text) - len(body)].count("\n") + 1  # the first line's number
    first_line, _, rest = body.partition("\n")
    if not any(mark in first_line for mark in SEPARATORS):  # one column: one number a line
        check_spaced_numbers(body, first_number)
    separator = field_separator(first_line.strip())
    fields = first_line.strip().split(separator)
    header = has_header(fields, first_line.strip())
    if not header and separator == "," and decimal_comma_lines(body):
        separator, fields = "\t", [first_line.strip()]
        print(f"Reading one number a line with a decimal comma ({fields[0]} is "
              f"{fields[0].replace(',', '.')}).")
    if not header:
        check_headerless(fields, body, columns, flags)
    options = number_format(rest if header else body, separator)
    frame = parse_csv(body, sep=separator, header=0 if header else None, **options)
    frame.columns = [str(name).strip() for name in frame.columns] if header else ["value"]
    frame = frame.dropna(how="all")  # blank lines hold nothing
    if frame.empty:
        raise InputError(f"it holds only the header row {shorten(first_line.strip())!r} and no "
                         "numbers; add the data below it, one row a line.")
    frame.index += first_number + header  # line numbers from 1
    return frame


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
    """The names of the columns to use, the predicted one first (names match in any case).

    Without `columns`: Close, Adj Close, the only numeric column, or the only column that is
    not a date or a stock's name, whose cells that are not numbers numeric_column then names.
    """
    by_lower = {str(name).lower(): name for name in frame.columns}
    if columns:
        missing = [name for name in columns if name.lower() not in by_lower]
        if missing:
            raise InputError(f"there is no column named {missing[0]!r}; its columns are "
                             f"{', '.join(map(str, frame.columns))}"
                             + (" (pick with --columns)." if flags else "."))
        return [by_lower[name.lower()] for name in columns]
    for name in PREFERRED_COLUMNS:
        if name.lower() in by_lower:
            return [by_lower[name.lower()]]
    data = [name for name in frame.columns if name.lower() not in DATE_NAMES + STOCK_NAMES]
    numeric = [name for name in data if pd.api.types.is_numeric_dtype(frame[name])]
    if len(numeric) == 1 or len(data) == 1:
        return numeric if len(numeric) == 1 else data
    found = (f"{len(numeric)} columns of numbers ({', '.join(numeric)})" if numeric
             else "no column of numbers")
    fix = ("name the one to predict with --columns" if flags
           else "keep only the column to predict, or call it Close")
    raise InputError(f"there is no Close column and {found}; {fix}.")


def avoid_split(frame, names, dates):
    """Adj Close instead of Close when Close falls by more than SPLIT_DROP in one day and Adj
    Close does not: a stock split (4 new shares for 1 old one: -75%), which Adj Close corrects.
    The network would otherwise learn a crash that never happened. Says so in one sentence."""
    by_lower = {str(name).lower(): name for name in frame.columns}
    if [str(name).lower() for name in names] != ["close"] or "adj close" not in by_lower:
        return names
    both = pd.DataFrame({"close": pd.to_numeric(frame[names[0]], errors="coerce"),
                         "adjusted": pd.to_numeric(frame[by_lower["adj close"]], errors="coerce"),
                         "date": dates if dates is not None else frame.index}).dropna()
    both = both.sort_values("date", kind="stable")
    change = both[["close", "adjusted"]] / both[["close", "adjusted"]].shift() - 1  # a day's move
    split = (change["close"] < -SPLIT_DROP) & (change["adjusted"] >= -SPLIT_DROP)
    if not split.any():
        return names
    day = both["date"][split].iloc[0]
    when = f"on {day:%Y-%m-%d}" if dates is not None else f"on line {day}"
    print(f"{names[0]} drops {-change['close'][split].iloc[0]:.0%} {when}, a stock split that "
          f"{by_lower['adj close']} corrects; using {by_lower['adj close']}.")
    return [by_lower["adj close"]]


def numeric_column(frame, name):
    """A column as floats; missing cells become NaN; text and infinities are refused."""
    with np.errstate(invalid="ignore"):
        numbers = pd.to_numeric(frame[name], errors="coerce").astype(float)
    infinite = np.isinf(numbers)
    bad = frame[name][(numbers.isna() & frame[name].notna()) | infinite]
    if len(bad):
        kind = "finite number" if infinite[bad.index[0]] else "number"
        where = f" in column {name!r}" if len(frame.columns) > 1 else ""  # a file of one column
        raise InputError(f"line {bad.index[0]} holds {shorten(str(bad.iloc[0]))!r}{where}, "
                         f"which is not a {kind}; correct it, or delete it to skip that row.")
    return numbers


def usable_rows(table, dated):
    """The rows with every value present, sorted by date (the last row of a repeated date
    kept) when the file has dates; each dropping is counted in one line."""
    complete = table.dropna()
    if len(complete) < len(table):
        print(f"Dropped {len(table) - len(complete)} rows with missing values.")
    if dated:
        complete = complete.sort_values("date", kind="stable")  # equal dates keep file order
        repeated = complete["date"].duplicated(keep="last")
        if repeated.any():
            print(f"Dropped {repeated.sum()} rows whose date comes again later in the file "
                  "(kept the last row of each date).")
        complete = complete[~repeated]
    if len(complete) < 2:
        raise InputError(f"it has {len(complete)} usable rows; a series needs many more.")
    return complete


# %% Dates
def text_to_dates(texts, dayfirst):
    """Dates from text (NaT where empty or unreadable), and the non-empty ones left unread."""
    present = texts != ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pandas' notes on the format it guessed
        dates = pd.to_datetime(texts.where(present), errors="coerce", dayfirst=dayfirst)
    return dates, present & dates.isna()


def parse_dates(column):
    """A column read as dates: ISO or month first (12/31/2018), else day first (31/12/2018).

    pandas reads the whole column in the format of its first date. Returns: (dates, unread);
    dates is NaT for empty cells, unread marks the non-empty cells not read either way.
    """
    texts = column.astype("string").fillna("").str.strip()
    dates, unread = text_to_dates(texts, dayfirst=False)
    if unread.any():  # 02/01/2018 read month first leaves 13/01/2018 unread: try day first
        day_first = text_to_dates(texts, dayfirst=True)
        if day_first[1].sum() < unread.sum():
            dates, unread = day_first
    return dates, unread


def is_date_alone(text):
    """True when pandas reads this one text as a date, in whatever format it is written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return pd.notna(pd.to_datetime(text, errors="coerce"))


def read_dates(frame, names):
    """The dates of the rows, or None when the file has none.

    The date column is one named as in DATE_NAMES, else the first column when most of its
    cells read as dates (Day, Datum, ...). A date that cannot be read is refused.
    """
    named = [name for name in frame.columns if name.lower() in DATE_NAMES]
    name = named[0] if named else frame.columns[0]
    if not named and (name in names or pd.api.types.is_numeric_dtype(frame[name])):
        return None
    dates, unread = parse_dates(frame[name])
    if not named and unread.sum() * 2 >= frame[name].notna().sum():
        return None  # a first column of names or codes, not dates
    if unread.any():
        line, example = frame[name][unread].index[0], str(frame[name][unread].iloc[0])
        if is_date_alone(example):  # readable on its own: the column mixes two formats
            first = str(frame[name][dates.notna()].iloc[0])
            raise InputError(f"column {name!r} mixes date formats, such as {first!r} and "
                             f"{example!r} (line {line}); write them all as YYYY-MM-DD.")
        raise InputError(f"column {name!r} holds {unread.sum()} dates that cannot be read, such "
                         f"as {shorten(example)!r} (line {line}); write them as YYYY-MM-DD.")
    return dates


# %% Command line: show what would be read
def describe(args):
    """Print what run_lstm.py would read from the CSV: rows, dates, columns."""
    path = args.csv or plumbing.repo_root() / CSV
    columns = [name.strip() for name in args.columns.split(",")] if args.columns else None
    series = read_series(path, columns, args.symbol, flags=True)
    dates = "" if series.dates is None else (f", {series.dates[0]:%Y-%m-%d} .. "
                                             f"{series.dates[-1]:%Y-%m-%d}")
    print(f"{args.csv or CSV}: {len(series.values):,} rows{dates}; columns {series.columns}, "
          f"the first is predicted; first row {series.values[0]}, last {series.values[-1]}")


def main(argv=None):
    """Show what run_lstm.py would read from a CSV, without training anything."""
    parser = argparse.ArgumentParser(description="Show what run_lstm.py would read from a CSV.")
    parser.add_argument("csv", nargs="?", help="a file of one number a line, or with a header "
                        f"row (default: {CSV})")
    parser.add_argument("--columns", help="columns to read, the predicted one first")
    parser.add_argument("--symbol", help="the stock to read from a file of several")
    return plumbing.run_main(lambda: describe(parser.parse_args(argv)))


if __name__ == "__main__":
    if plumbing.in_notebook():
        main([])  # a notebook's last cell: describe the S&P 500
    else:
        sys.exit(main())
