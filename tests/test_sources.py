"""Prices from today's sources: a file in each source's documented shape, and --ticker.

    python -m pytest tests/test_sources.py               # no network: yfinance and FRED faked
    python -m pytest -m network tests/test_sources.py    # also one real download from Yahoo

Every file is written from one known series (60 weekdays across the change to summer time in
March 2024) in its source's own shape, and must read back to the same dates and the same close,
oldest first; run_lstm.py --csv on each must predict that close. The fake yfinance returns
frames in the shapes yfinance 1.x builds (two column levels, Price and Ticker; no rows when a
download fails); one test checks the fake against yfinance's own download() where it is
installed.
"""

import io
import socket
import sys
import types
import urllib.error

import numpy as np
import pandas as pd
import pytest

import prices
import series_csv
from conftest import assert_plain_error, run_in_process

pytestmark = pytest.mark.usefixtures("a_file_preset")  # run_lstm runs on files here

DAYS = pd.bdate_range("2024-02-26", periods=60)  # US clocks change on 2024-03-10
CLOSE = np.round(990 + 40 * np.sin(np.arange(60) / 7.0) + np.arange(60), 2)  # crosses 1,000
VOLUME = 1_000_000 + 12_345 * np.arange(60)


# %% The shapes yfinance returns, and the files its tables save as
def history_frame(actions=True):
    """What yf.Ticker(...).history(period="max") returns: dates at midnight in the exchange's
    time zone, one level of columns (Dividends and Stock Splits unless actions=False)."""
    index = pd.DatetimeIndex(DAYS, name="Date").tz_localize("America/New_York")
    frame = pd.DataFrame({"Open": CLOSE - 1, "High": CLOSE + 2, "Low": CLOSE - 2,
                          "Close": CLOSE, "Volume": VOLUME, "Dividends": 0.0,
                          "Stock Splits": 0.0}, index=index)
    return frame if actions else frame.drop(columns=["Dividends", "Stock Splits"])


def download_frame(ticker="AAPL", tz=None):
    """What yf.download(ticker, period="max", auto_adjust=True, progress=False) returns for one
    ticker: columns on two levels (Price, Ticker), sorted; daily dates without a time zone
    (download drops it for daily data; tz gives the shape it would have kept)."""
    frame = history_frame(actions=False)
    frame.index = frame.index.tz_localize(None) if tz is None else frame.index.tz_convert(tz)
    frame.columns = pd.MultiIndex.from_product([frame.columns, [ticker]],
                                               names=["Price", "Ticker"])
    return frame.sort_index(axis=1, level=0)


def failed_download(ticker="AAPL"):
    """What yf.download returns when the ticker is unknown, offline or rate-limited: no rows."""
    columns = pd.MultiIndex.from_product([["Adj Close", "Close", "High", "Low", "Open",
                                           "Volume"], [ticker]], names=["Price", "Ticker"])
    return pd.DataFrame(index=pd.DatetimeIndex([]), columns=columns, dtype=float)


@pytest.mark.dev  # needs yfinance, which the plain install leaves out (CI installs it)
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
def test_the_fake_matches_what_yfinance_itself_builds(monkeypatch):
    yf = pytest.importorskip("yfinance")
    monkeypatch.setattr(yf.Ticker, "history", lambda self, *args, actions=True, **options:
                        history_frame(actions))
    real = yf.download("AAPL", period="max", auto_adjust=True, progress=False)
    pd.testing.assert_frame_equal(real, download_frame(), check_freq=False,
                                  check_index_type=False)

    def refused(self, *args, **options):
        raise yf.exceptions.YFRateLimitError()

    monkeypatch.setattr(yf.Ticker, "history", refused)
    empty = yf.download("AAPL", period="max", auto_adjust=True, progress=False)
    assert empty.empty and list(empty.columns) == list(failed_download().columns)


# %% A file in each source's shape
def nasdaq(path):
    """nasdaq.com's "Download historical data": newest first, MM/DD/YYYY, $ prices."""
    rows = [f"{day:%m/%d/%Y},${c:.2f},{v},${c - 1:.2f},${c + 2:.2f},${c - 2:.2f}"
            for day, c, v in zip(DAYS, CLOSE, VOLUME, strict=True)]
    path.write_text("Date,Close/Last,Volume,Open,High,Low\n" + "\n".join(rows[::-1]) + "\n")


def marketwatch(path):
    """MarketWatch's download: newest first, MM/DD/YYYY, quoted thousands ("1,234,567")."""
    rows = [f'{day:%m/%d/%Y},"{c - 1:,.2f}","{c + 2:,.2f}","{c - 2:,.2f}","{c:,.2f}","{v:,}"'
            for day, c, v in zip(DAYS, CLOSE, VOLUME, strict=True)]
    path.write_text("Date,Open,High,Low,Close,Volume\n" + "\n".join(rows[::-1]) + "\n")


def investing(path):
    """investing.com's download: every field quoted, Price is the close, Vol. as 3.99M."""
    change = np.r_[0, np.diff(CLOSE) / CLOSE[:-1] * 100]
    rows = [f'"{day:%m/%d/%Y}","{c:,.2f}","{c - 1:,.2f}","{c + 2:,.2f}","{c - 2:,.2f}",'
            f'"{v / 1e6:.2f}M","{p:.2f}%"'
            for day, c, v, p in zip(DAYS, CLOSE, VOLUME, change, strict=True)]
    path.write_text('"Date","Price","Open","High","Low","Vol.","Change %"\n'
                    + "\n".join(rows[::-1]) + "\n")


def fred_old(path):
    """FRED before 2025: DATE and the series id, '.' for a day without a value."""
    rows = [f"{day:%Y-%m-%d},{c:.2f}" for day, c in zip(DAYS, CLOSE, strict=True)]
    rows.insert(10, f"{DAYS[10] - pd.Timedelta(days=3):%Y-%m-%d},.")  # a Saturday: no value
    path.write_text("DATE,NASDAQCOM\n" + "\n".join(rows) + "\n")


def fred_new(path):
    """FRED's graph CSV today: observation_date and the id, an empty cell for no value."""
    rows = [f"{day:%Y-%m-%d},{c:.2f}" for day, c in zip(DAYS, CLOSE, strict=True)]
    rows.insert(10, f"{DAYS[10] - pd.Timedelta(days=3):%Y-%m-%d},")
    path.write_text("observation_date,SP500\n" + "\n".join(rows) + "\n")


SHAPES = {  # source: (writer, the column predicted, rows dropped as missing)
    "nasdaq": (nasdaq, "Close/Last", 0),
    "marketwatch": (marketwatch, "Close", 0),
    "investing": (investing, "Price", 0),
    "fred_old": (fred_old, "NASDAQCOM", 1),
    "fred_new": (fred_new, "SP500", 1),
    "yf_download": (lambda path: download_frame().to_csv(path), "Close", 0),
    "yf_history": (lambda path: history_frame().to_csv(path), "Close", 0),
}


@pytest.mark.parametrize("source", SHAPES)
def test_each_source_reads_back_the_same_dates_and_close(tmp_path, capsys, source):
    write, column, dropped = SHAPES[source]
    path = tmp_path / f"{source}.csv"
    write(path)
    series = series_csv.read_series(path)
    assert series.columns == [column]
    assert list(series.dates) == list(DAYS)  # oldest first, whatever the file's order
    np.testing.assert_allclose(series.values[:, 0], CLOSE, rtol=0, atol=1e-9)
    said = capsys.readouterr().out
    assert ("Dropped 1 row with missing values." in said) == bool(dropped)


def test_the_marks_pandas_leaves_as_text_are_read_in_any_column(tmp_path):
    investing(tmp_path / "investing.csv")
    series = series_csv.read_series(tmp_path / "investing.csv", ["Price", "Vol.", "Change %"])
    np.testing.assert_allclose(series.values[:, 1], np.round(VOLUME / 1e6, 2) * 1e6)
    assert series.values[1, 2] == pytest.approx(np.diff(CLOSE)[0] / CLOSE[0] * 100, abs=0.005)
    nasdaq(tmp_path / "nasdaq.csv")
    volume = series_csv.read_series(tmp_path / "nasdaq.csv", ["Volume", "Close/Last"])
    np.testing.assert_array_equal(volume.values[:, 0], VOLUME)


@pytest.mark.parametrize("header, row, words", [
    ("Date,Close/Last,Volume", "01/02/2024,USD 189.98,100", ["'Close/Last'", "'USD 189.98'"]),
    ("Date,Price,Vol.", "01/02/2024,n.a.,3.99M", ["'Price'", "'n.a.'"]),
    ("DATE,NASDAQCOM", "2024-01-02,#VALUE", ["'NASDAQCOM'", "'#VALUE'"]),
    ("Date,Last,Volume", "2024-01-02,12 345,100", ["'Last'", "'12 345'"]),
])
def test_a_price_that_is_not_a_number_stops_the_run_never_volume(tmp_path, header, row,
                                                                   words):
    path = tmp_path / "prices.csv"
    first = [row.split(",")[0].replace("02/2024", "03/2024").replace("01-02", "01-03"), "10",
             "100"][:len(row.split(","))]
    path.write_text(f"{header}\n{','.join(first)}\n{row}\n")
    with pytest.raises(series_csv.InputError) as error:
        series_csv.read_series(path)
    for word in [*words, "line 3", "not a number"]:
        assert word in str(error.value)


def test_several_tickers_saved_side_by_side_are_refused(tmp_path):
    both = pd.concat([download_frame("AAPL"), download_frame("MSFT")], axis=1)
    both.sort_index(axis=1, level=0).to_csv(tmp_path / "two.csv")
    with pytest.raises(series_csv.InputError, match="several tickers side by side"):
        series_csv.read_series(tmp_path / "two.csv")


def test_a_one_column_file_counts_its_missing_lines(tmp_path, capsys):
    path = tmp_path / "values.csv"
    path.write_text("1.5\n2.5\nnan\n3.5\n\n4.5\n")  # a nan line, and a blank one
    series = series_csv.read_series(path)
    np.testing.assert_array_equal(series.values[:, 0], [1.5, 2.5, 3.5, 4.5])
    assert capsys.readouterr().out == "Dropped 1 row with missing values.\n"


# %% run_lstm.py on each source, and --ticker
@pytest.fixture(scope="module")
def run_lstm(load_script):
    return load_script("run_lstm")


def run(run_lstm, capsys, tmp_path, *args):
    """run_lstm.main() in this process, tiny, with the test span these tests count on (the
    Settings cell's TRAIN_FRAC may differ); returns a CompletedProcess."""
    tiny = ["--epochs", "1", "--seq-len", "5", "--mode", "point", "--train-frac", "0.9",
            "--plot-dir", tmp_path / "out"]
    return run_in_process(run_lstm, capsys, *args, *tiny)


def predicted_truth(tmp_path, name):
    """The truth column of the run's predictions CSV: what the run predicted."""
    return pd.read_csv(tmp_path / "out" / f"{name}_predictions.csv")["truth"].to_numpy()


@pytest.mark.parametrize("source", SHAPES)
def test_run_lstm_predicts_each_sources_close(run_lstm, capsys, tmp_path, source):
    write, column, _ = SHAPES[source]
    path = tmp_path / f"{source}.csv"
    write(path)
    result = run(run_lstm, capsys, tmp_path, "--csv", path)
    assert result.returncode == 0, result.stderr
    assert f"predicting {column!r}" in result.stdout and "60 rows" in result.stdout
    assert "Only 6 test predictions: too few" in result.stdout
    np.testing.assert_allclose(predicted_truth(tmp_path, source), CLOSE[-6:], atol=1e-6)


def test_a_monthly_file_of_70_rows_runs_and_says_its_test_span_is_too_short(run_lstm, capsys,
                                                                          tmp_path):
    days = pd.date_range("2019-01-31", periods=70, freq=pd.offsets.MonthEnd())  # pandas 2.1 too
    path = tmp_path / "monthly.csv"
    pd.DataFrame({"Date": days.strftime("%Y-%m-%d"), "Close": 100 + np.arange(70.0)}).to_csv(
        path, index=False)
    result = run(run_lstm, capsys, tmp_path, "--csv", path, "--forecast", "2", "--json",
                 tmp_path / "run.json")
    assert result.returncode == 0, result.stderr
    assert "70 rows (2019-01-31 .. 2024-10-31), monthly, predicting 'Close'" in result.stdout
    assert "Only 7 test predictions: too few to judge" in result.stdout
    assert "Forecast for the next 2 months" in result.stdout
    assert "2024-11-30" in result.stdout and "2024-12-31" in result.stdout  # month ends
    assert pd.read_json(tmp_path / "run.json", typ="series")["test_points"] == 7


@pytest.mark.parametrize("dates, unit", [
    (pd.bdate_range("2024-01-01", periods=30), ("trading day", "daily")),
    (pd.date_range("2024-01-01", periods=30), ("day", "daily")),  # weekends too: crypto
    (pd.date_range("2024-01-05", periods=30, freq="W-FRI"), ("week", "weekly")),
    (pd.date_range("2020-01-01", periods=30, freq="MS"), ("month", "monthly")),
    (pd.date_range("2000-01-01", periods=30, freq="QS"), ("quarter", "quarterly")),
    (None, ("step", "")),
])
def test_the_data_is_named_by_the_spacing_of_its_dates(run_lstm, dates, unit):
    assert run_lstm.data_unit(dates) == unit


@pytest.fixture
def downloads(monkeypatch, tmp_path):
    """prices.py's downloads/ folder, under tmp_path for the test."""
    monkeypatch.setattr(prices, "DOWNLOADS", str(tmp_path / "downloads"))
    return tmp_path / "downloads"


def fake_yfinance(monkeypatch, download):
    """yfinance replaced by a module whose download() is `download`; any other use raises."""
    module = types.ModuleType("yfinance")
    module.download = download

    def no_network(*args, **options):
        raise AssertionError("the test used yfinance beyond download()")

    module.Ticker = module.Tickers = no_network
    monkeypatch.setitem(sys.modules, "yfinance", module)


def test_a_ticker_is_fetched_once_then_read_from_its_file(run_lstm, capsys, tmp_path,
                                                          monkeypatch, downloads):
    calls = []

    def download(ticker, **options):
        calls.append((ticker, options))
        return download_frame(ticker)

    fake_yfinance(monkeypatch, download)
    first = run(run_lstm, capsys, tmp_path, "--ticker", "aapl")
    assert first.returncode == 0, first.stderr
    assert calls == [("AAPL", {"period": "max", "auto_adjust": True, "progress": False})]
    assert f"downloaded from Yahoo Finance (through yfinance), 60 rows, saved to {downloads}" \
        in first.stdout and "predicting 'Close'" in first.stdout
    np.testing.assert_allclose(predicted_truth(tmp_path, "AAPL"), CLOSE[-6:], atol=1e-6)
    assert sorted(path.name for path in downloads.iterdir()) == ["AAPL.csv"]

    def raises(*args, **options):
        raise AssertionError("a saved ticker must not be downloaded again")

    fake_yfinance(monkeypatch, raises)
    again = run(run_lstm, capsys, tmp_path, "--ticker", "AAPL")
    assert again.returncode == 0, again.stderr
    assert "saved by an earlier run" in again.stdout
    monkeypatch.setitem(sys.modules, "yfinance", None)  # not even installed: the file is enough
    assert run(run_lstm, capsys, tmp_path, "--ticker", "AAPL").returncode == 0


@pytest.mark.parametrize("yfinance, words", [
    ("empty", ["no prices for ZZZZ", "ticker", "network", "nasdaq.com", "--csv"]),
    ("raises", ["no prices for ZZZZ (ConnectionError)", "--csv"]),
    ("missing", ["yfinance", "python -m pip install yfinance", "--csv"]),
])
def test_a_ticker_that_cannot_be_fetched_is_one_sentence(run_lstm, capsys, tmp_path,
                                                         monkeypatch, downloads, yfinance, words):
    def raises(*args, **options):
        raise ConnectionError("offline")

    if yfinance == "missing":
        monkeypatch.setitem(sys.modules, "yfinance", None)  # import yfinance: ImportError
    else:
        fake_yfinance(monkeypatch, raises if yfinance == "raises"
                      else lambda ticker, **options: failed_download(ticker))
    result = run(run_lstm, capsys, tmp_path, "--ticker", "ZZZZ")
    assert_plain_error(result, *words)
    assert not downloads.exists() and not (tmp_path / "out").exists()  # nothing written


def fake_fred(monkeypatch, answer):
    """urllib's urlopen replaced: `answer` is the text FRED sends, or the error raised."""
    def urlopen(url, timeout=None):
        assert url == prices.FRED_URL.format("SP500") and timeout
        if isinstance(answer, Exception):
            raise answer
        return io.BytesIO(answer.encode())

    monkeypatch.setattr(prices.urllib.request, "urlopen", urlopen)


def test_a_fred_series_is_fetched_and_saved_in_freds_shape(capsys, monkeypatch, downloads,
                                                           tmp_path):
    fred_new(tmp_path / "answer.csv")
    fake_fred(monkeypatch, (tmp_path / "answer.csv").read_text())
    assert series_csv.main(["--ticker", "fred:SP500"]) == 0
    said = capsys.readouterr().out
    assert "downloaded from FRED (fred.stlouisfed.org), 61 rows" in said
    assert "Dropped 1 row with missing values." in said and "60 rows, 2024-02-26" in said
    assert (downloads / "fred-SP500.csv").read_text() == (tmp_path / "answer.csv").read_text()


@pytest.mark.parametrize("answer, words", [
    (urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
     ["Could not reach FRED", "SP500", "name resolution", "network",
      "fred.stlouisfed.org/series/SP500", "--csv"]),
    (urllib.error.HTTPError(prices.FRED_URL, 404, "Not Found", None, None),
     ["FRED answered 404", "SP500", "fred.stlouisfed.org"]),
    ("<!DOCTYPE html><html>Series not found</html>\n", ["FRED sent no CSV", "SP500"]),
])
def test_fred_without_network_or_series_is_one_sentence(run_lstm, capsys, tmp_path,
                                                        monkeypatch, downloads, answer, words):
    fake_fred(monkeypatch, answer)
    result = run(run_lstm, capsys, tmp_path, "--ticker", "fred:SP500")
    assert_plain_error(result, *words)
    assert not downloads.exists() and not (tmp_path / "out").exists()


def test_a_bad_ticker_or_two_sources_are_refused(run_lstm, capsys, downloads):
    with pytest.raises(SystemExit) as error:
        run_lstm.main(["--ticker", "AAPL", "--csv", "x.csv"])
    assert error.value.code == 2 and "not allowed with" in capsys.readouterr().err
    assert run_lstm.main(["--ticker", "A/B"]) == 2
    assert "'A/B' is not a ticker" in capsys.readouterr().err and not downloads.exists()


@pytest.mark.network
def test_a_real_download_from_yahoo(capsys, downloads):
    pytest.importorskip("yfinance")
    assert series_csv.main(["--ticker", "AAPL"]) == 0
    said = capsys.readouterr().out
    assert "downloaded from Yahoo Finance" in said and "columns ['Close']" in said
    assert (downloads / "AAPL.csv").read_text().startswith("Date,Close,High,Low,Open,Volume\n")
