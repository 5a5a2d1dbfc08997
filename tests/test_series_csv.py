"""Tests for series_csv.py, the evening's one CSV reader: fast, and without Keras.

    python -m pytest tests/test_series_csv.py

Each test writes a small file as a user's download would hold it, and checks the numbers read
or the one sentence that refuses it.
"""

import bz2
import gzip
import zipfile

import numpy as np
import pytest

import series_csv
from conftest import REPO_ROOT
from plumbing import InputError


def write(tmp_path, text, name="prices.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refusal(path, columns=None, symbol=None, flags=False):
    """The one sentence read_series refuses `path` with (flags: the caller has --columns and
    --symbol, as run_lstm.py has and rnn.py has not)."""
    with pytest.raises(InputError) as error:
        series_csv.read_series(path, columns, symbol, flags)
    message = str(error.value)
    assert "\n" not in message
    return message


# %% What is read
def test_headerless_file_is_one_value_a_line(tmp_path):
    series = series_csv.read_series(write(tmp_path, "1.5\n2.5\n3.5\n"))
    assert series.values.shape == (3, 1) and series.columns == ["value"]
    np.testing.assert_array_equal(series.values[:, 0], [1.5, 2.5, 3.5])
    assert series.dates is None


def test_header_file_takes_close_and_sorts_by_date(tmp_path):
    text = ("Date,Open,Close,Volume\n2020-01-03,1,12,300\n2020-01-01,1,10,100\n"
            "2020-01-02,1,11,200\n")
    series = series_csv.read_series(write(tmp_path, text))
    assert series.columns == ["Close"]
    np.testing.assert_array_equal(series.values[:, 0], [10, 11, 12])
    assert [f"{day:%d}" for day in series.dates] == ["01", "02", "03"]
    np.testing.assert_array_equal(series.lines, [3, 4, 2])  # each row's line in the file


def test_adj_close_then_the_only_numeric_column(tmp_path):
    adjusted = series_csv.read_series(write(tmp_path, "Date,Adj Close\n2020-01-01,5\n"
                                            "2020-01-02,6\n"))
    assert adjusted.columns == ["Adj Close"]
    only = series_csv.read_series(write(tmp_path, "Day,Price\nmon,5\ntue,6\n", "only.csv"))
    assert only.columns == ["Price"]


def test_several_columns_predicted_one_first(tmp_path):
    text = "Date,Close,Volume\n2020-01-01,10,100\n2020-01-02,11,200\n"
    series = series_csv.read_series(write(tmp_path, text), ["Volume", "Close"])
    assert series.columns == ["Volume", "Close"]
    np.testing.assert_array_equal(series.values, [[100, 10], [200, 11]])


@pytest.mark.parametrize("header", ["date,close,volume", "Date,Adj Close,Volume",
                                    "DATE,ADJ CLOSE,VOLUME"])
def test_the_default_column_is_found_in_any_case(tmp_path, header):
    text = f"{header}\n2020-01-01,10,100\n2020-01-02,11,200\n"
    series = series_csv.read_series(write(tmp_path, text))
    assert series.columns[0].lower() in ("close", "adj close")
    np.testing.assert_array_equal(series.values[:, 0], [10, 11])


def test_rows_with_missing_values_are_dropped_and_counted(tmp_path, capsys):
    text = "Date,Close\n2020-01-01,10\n2020-01-02,null\n2020-01-03,\n2020-01-06,13\n"
    series = series_csv.read_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [10, 13])
    assert "Dropped 2 rows" in capsys.readouterr().out


def test_without_dates_the_file_order_stays(tmp_path):
    series = series_csv.read_series(write(tmp_path, "Price\n3\n1\n2\n"))
    assert series.dates is None
    np.testing.assert_array_equal(series.values[:, 0], [3, 1, 2])


def test_the_shipped_sp500_file():
    series = series_csv.read_series(REPO_ROOT / "data" / "sp500.csv")
    assert series.values.shape == (5031, 1) and series.columns == ["Close"]
    assert f"{series.dates[0]:%Y-%m-%d}" == "1999-01-04"
    assert f"{series.dates[-1]:%Y-%m-%d}" == "2018-12-31"


# %% Encodings and compression
@pytest.mark.parametrize("name, compress", [
    ("prices.csv.gz", gzip.compress), ("prices.csv.bz2", bz2.compress),
    ("prices.csv", gzip.compress),  # compressed, though its name does not say so
])
def test_compressed_files_are_read(tmp_path, name, compress):
    text = "Date,Close\n2020-01-01,10\n2020-01-02,11\n"
    (tmp_path / name).write_bytes(compress(text.encode()))
    series = series_csv.read_series(tmp_path / name)
    np.testing.assert_array_equal(series.values[:, 0], [10, 11])


def test_a_zipped_download_is_read_and_a_damaged_one_named(tmp_path):
    with zipfile.ZipFile(tmp_path / "prices.zip", "w") as archive:
        archive.writestr("prices.csv", "Date,Close\n2020-01-01,10\n2020-01-02,11\n")
    assert len(series_csv.read_series(tmp_path / "prices.zip").values) == 2
    cut = gzip.compress(b"Date,Close\n2020-01-01,10\n2020-01-02,11\n")[:20]
    (tmp_path / "cut.csv.gz").write_bytes(cut)
    assert "is a damaged gzip file" in refusal(tmp_path / "cut.csv.gz")
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("a.csv", "1\n2\n")
        archive.writestr("b.csv", "3\n4\n")
    assert "is a zip of several files; unzip it" in refusal(tmp_path / "two.zip")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_byte_order_mark_is_dropped(tmp_path, encoding):
    path = write(tmp_path, "Date,Close\n2020-01-01,10\n2020-01-02,11\n", encoding=encoding)
    series = series_csv.read_series(path)
    assert series.columns == ["Close"] and len(series.dates) == 2  # "\ufeffDate" would not be
    headerless = write(tmp_path, "1.5\n2.5\n", "values.csv", encoding=encoding)
    np.testing.assert_array_equal(series_csv.read_series(headerless).values[:, 0], [1.5, 2.5])


def test_missing_and_non_utf8_files(tmp_path):
    assert "no file" in refusal(tmp_path / "nowhere.csv")
    (tmp_path / "folder.csv").mkdir()
    assert "folder.csv is a folder, not a file; check the path" in refusal(tmp_path / "folder.csv")
    path = tmp_path / "latin.csv"
    path.write_bytes("Date,Close\n2020-01-01,10\xe9\n".encode("latin-1"))
    assert "UTF-8" in refusal(path)


# %% Separators, decimal commas and thousands separators
@pytest.mark.parametrize("text", [
    "Date;Open;Close\n2020-01-01;1,5;2575,21\n2020-01-02;1,5;2564,98\n",
    "Date\tOpen\tClose\n2020-01-01\t1.5\t2575.21\n2020-01-02\t1.5\t2564.98\n",
    'Date,Open,Close\n2020-01-01,1.5,"2,575.21"\n2020-01-02,1.5,"2,564.98"\n',  # thousands
    'Date,Close\n2020-01-01,"2575,21"\n2020-01-02,"2564,98"\n',  # a decimal comma in quotes
    "Date;Close\n2020-01-01;2,575.21\n2020-01-02;2,564.98\n",  # thousands, split by ;
])
def test_semicolons_tabs_and_thousands_separators(tmp_path, text):
    series = series_csv.read_series(write(tmp_path, text))
    np.testing.assert_allclose(series.values[:, 0], [2575.21, 2564.98])
    assert len(series.dates) == 2


def test_a_comma_in_a_column_name_of_a_semicolon_file_is_part_of_the_name(tmp_path):
    text = "Datum;Schluss, EUR;Volumen\n2020-01-02;10,5;100\n2020-01-03;11,5;200\n"
    series = series_csv.read_series(write(tmp_path, text), ["Schluss, EUR"])
    np.testing.assert_allclose(series.values[:, 0], [10.5, 11.5])


@pytest.mark.parametrize("text", ["0,841\n0,873\n0,902\n", "Close\n0,841\n0,873\n0,902\n"])
def test_a_decimal_comma_in_a_file_of_one_column(tmp_path, text, capsys):
    # Three digits after the comma and no dot anywhere: 0,841 is 0.841, never 841.
    series = series_csv.read_series(write(tmp_path, text))
    np.testing.assert_allclose(series.values[:, 0], [0.841, 0.873, 0.902])
    if not text.startswith("Close"):
        assert "decimal comma (0,841 is 0.841)" in capsys.readouterr().out


@pytest.mark.parametrize("rows, separator, expected", [
    ("2575,21", ";", {"decimal": ",", "thousands": None}),  # not three digits after it
    ("0,841", ";", {"decimal": ",", "thousands": None}),  # three, but no dot anywhere
    ("31.12.2018;10,512", ";", {"decimal": ",", "thousands": None}),  # dates are not numbers
    ("2,575.21", ";", {"decimal": ".", "thousands": ","}),  # a dot after the comma
    ('2020-01-01,2575.21,"877,000"', ",", {"decimal": ".", "thousands": ","}),  # a dot beside
    ('"1,234,567"', ",", {"decimal": ".", "thousands": ","}),  # two commas in one number
    ("2020-01-01,2575,21", ",", {"decimal": ".", "thousands": None}),  # commas separate fields
    ("2575.21", "\t", {"decimal": ".", "thousands": None}),
])
def test_the_rule_that_tells_a_decimal_comma_from_a_thousands_separator(rows, separator,
                                                                        expected):
    assert series_csv.number_format(rows, separator) == expected


def test_a_german_file_with_dotted_dates_and_decimal_commas(tmp_path):
    text = "Datum;Schluss\n31.12.2018;10,512\n02.01.2019;10,602\n"
    series = series_csv.read_series(write(tmp_path, text))
    np.testing.assert_allclose(series.values[:, 0], [10.512, 10.602])
    assert [f"{day:%Y-%m-%d}" for day in series.dates] == ["2018-12-31", "2019-01-02"]


# %% A stock split in Close that Adj Close corrects
def split_file(tmp_path, header="Date,Close,Adj Close", drop_adjusted=False):
    """20 weekdays from 2020-08-17; Close falls 75% on 2020-08-31 (4 new shares for 1)."""
    import pandas as pd

    days = pd.bdate_range("2020-08-17", periods=20)
    adjusted = 100 + np.arange(20.0)
    close = adjusted * np.where(np.arange(20) < 10, 4, 1)
    if drop_adjusted:
        adjusted = close
    rows = [f"{day:%Y-%m-%d},{c},{a}" for day, c, a in zip(days, close, adjusted, strict=True)]
    return write(tmp_path, "\n".join([header, *rows]) + "\n")


def test_a_split_in_close_uses_adj_close_and_says_why(tmp_path, capsys):
    series = series_csv.read_series(split_file(tmp_path))
    assert series.columns == ["Adj Close"]
    np.testing.assert_array_equal(series.values[:3, 0], [100, 101, 102])
    assert capsys.readouterr().out.strip() == (
        "Close drops 75% on 2020-08-31, a stock split that Adj Close corrects; using Adj Close.")


def test_a_split_is_kept_when_asked_for_or_when_adj_close_has_it_too(tmp_path, capsys):
    assert series_csv.read_series(split_file(tmp_path), ["Close"]).columns == ["Close"]
    both = series_csv.read_series(split_file(tmp_path, drop_adjusted=True))
    assert both.columns == ["Close"]  # a real crash, or a file without adjustments
    assert "split" not in capsys.readouterr().out


# %% Dates
def test_day_first_dates_keep_every_row_in_order(tmp_path, capsys):
    # 02/01/2018 read month first would be 1 February, and 13/01/2018 no date at all.
    text = "Date,Close\n02/01/2018,10\n03/01/2018,11\n13/01/2018,12\n01/02/2018,13\n"
    series = series_csv.read_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [10, 11, 12, 13])
    assert [f"{day:%Y-%m-%d}" for day in series.dates] == [
        "2018-01-02", "2018-01-03", "2018-01-13", "2018-02-01"]
    assert "Dropped" not in capsys.readouterr().out


def test_month_first_and_iso_dates_still_read_month_first(tmp_path):
    text = "Date,Close\n12/29/2017,10\n01/02/2018,11\n"
    series = series_csv.read_series(write(tmp_path, text))
    assert [f"{day:%Y-%m-%d}" for day in series.dates] == ["2017-12-29", "2018-01-02"]


def test_unreadable_dates_are_refused_but_empty_ones_are_missing(tmp_path, capsys):
    text = "Date,Close\n2020-01-01,10\n,11\n2020-01-03,12\n2020-01-06,13\n"
    series = series_csv.read_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [10, 12, 13])
    assert "Dropped 1 row with missing values." in capsys.readouterr().out
    message = refusal(write(tmp_path, "Date,Close\n2020-01-01,10\nsoon,11\n2020-01-03,12\n"))
    for word in ("prices.csv: ", "'Date'", "'soon'", "line 3", "YYYY-MM-DD"):
        assert word in message


def test_mixed_date_formats_are_named_as_such(tmp_path):
    text = "Date,Close\n01/02/2020,10\n2020-01-03,11\n2020-01-06,12\n"
    message = refusal(write(tmp_path, text))
    for word in ("mixes date formats", "'01/02/2020'", "'2020-01-03'", "YYYY-MM-DD"):
        assert word in message


def test_the_first_column_is_the_date_when_it_reads_as_dates(tmp_path):
    text = "Day,Open,Close\n2020-01-03,1,12\n2020-01-02,1,11\n2020-01-01,1,10\n"
    series = series_csv.read_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [10, 11, 12])
    assert f"{series.dates[0]:%Y-%m-%d}" == "2020-01-01"
    np.testing.assert_array_equal(series.lines, [4, 3, 2])


def test_repeated_dates_keep_the_last_row(tmp_path, capsys):
    text = ("Date,Close\n2020-01-01,10\n2020-01-02,11\n2020-01-02,99\n2020-01-01,98\n"
            "2020-01-03,12\n")
    series = series_csv.read_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [98, 99, 12])
    assert "Dropped 2 rows" in capsys.readouterr().out


# %% Stocks
def test_several_stocks_in_one_file(tmp_path, capsys):
    text = ("Symbol,Date,Close\nAAA,2020-01-01,10\nBBB,2020-01-01,50\nAAA,2020-01-02,11\n"
            "BBB,2020-01-02,51\n")
    path = write(tmp_path, text)
    message = refusal(path, flags=True)
    for word in ("2 stocks", "'Symbol'", "AAA, BBB", "--symbol AAA"):
        assert word in message
    assert "--symbol" not in refusal(path) and "one stock" in refusal(path)  # rnn.py's way
    series = series_csv.read_series(path, symbol="bbb")  # any case
    np.testing.assert_array_equal(series.values[:, 0], [50, 51])
    assert "Using the 2 rows" in capsys.readouterr().out


# %% Refused, in one sentence that names the file
@pytest.mark.parametrize("text, columns, words", [
    ("Date,Close\n2020-01-01,10\n2020-01-02,11\n", ["Price"], ["no column", "Price"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,ten\n", None, ["Close", "not a number", "line 3"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,-inf\n", None, ["-inf", "not a finite number"]),
    ("Date,Close\n2020-01-01,10\n", None, ["1 usable row;"]),
    ("", None, ["empty"]),
    ("Date,Open,Volume\n2020-01-01,1,2\n2020-01-02,1,2\n", None, ["--columns"]),
])
def test_bad_files_are_one_plain_sentence(tmp_path, text, columns, words):
    message = refusal(write(tmp_path, text), columns, flags=True)
    assert "prices.csv" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize("text, columns, symbol, words", [
    ("Date,Open,Volume\n2020-01-01,1,2\n2020-01-02,1,2\n", None, None,
     ["2 columns of numbers (Open, Volume)", "keep only the column to predict"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,11\n", ["Price"], None, ["no column", "Price"]),
    ("1.5\n2.5\n", ["Close"], None, ["no header row", "add a header row"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,11\n", None, "AAA", ["no column tells stocks"]),
])
def test_a_caller_without_the_flags_is_never_told_to_use_them(tmp_path, text, columns, symbol,
                                                               words):
    message = refusal(write(tmp_path, text), columns, symbol)
    assert "--columns" not in message and "--symbol" not in message
    for word in words:
        assert word in message


@pytest.mark.parametrize("text, words", [
    ("value\n1.0\nten\n2.0\n", ["prices.csv: line 3 holds 'ten', which is not a number"]),
    ("1.0\nten\n", ["line 2 holds 'ten', which is not a number"]),  # no header: no column
    ("Date,Price\n2020-01-01,1\n2020-01-02,ten\n", ["line 3 holds 'ten' in column 'Price'"]),
    ("value\n", ["only the header row 'value' and no numbers"]),
    ("Date,Close\n\n,\n", ["only the header row 'Date,Close' and no numbers"]),
    ("0.5 0.25 0.125\n", ["line 1 holds 3 numbers separated by spaces", "one number a line"]),
    ("\nvalue\n1.5\n2.5 3.5\n", ["line 4 holds 2 numbers separated by spaces ('2.5 3.5')"]),
])
def test_a_file_of_one_column_names_the_line_that_is_not_one_number(tmp_path, text, words):
    message = refusal(write(tmp_path, text))
    for word in words:
        assert word in message


@pytest.mark.parametrize("text, words", [
    ("1;2\n3;4\n", ["no header row", "2 numbers on the first line", "2575.21"]),
    ("2020-01-01,2575.2\n2020-01-02,2564.9\n", ["first line", "header row"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,11,12\n", ["not an even table"]),
    ("1,2,3,4,5,6", ["6 numbers on its only line", "one number a line"]),
])
def test_files_that_would_be_misread_are_refused(tmp_path, text, words):
    message = refusal(write(tmp_path, text))
    for word in words:
        assert word in message


# %% The command line
def test_the_command_line_strips_column_names(tmp_path, capsys):
    path = write(tmp_path, "Date,Close,Volume\n2020-01-01,10,100\n2020-01-02,11,200\n")
    assert series_csv.main([str(path), "--columns", "Close, Volume"]) == 0
    assert "['Close', 'Volume']" in capsys.readouterr().out


def test_the_command_line_without_a_file_describes_the_sp500(capsys):
    assert series_csv.main([]) == 0
    assert "data/sp500.csv: 5,031 rows, 1999-01-04 .. 2018-12-31" in capsys.readouterr().out


def test_the_command_line_refuses_in_one_sentence(tmp_path, capsys):
    assert series_csv.main([str(tmp_path / "nowhere.csv")]) == 2
    assert "There is no file at" in capsys.readouterr().err
