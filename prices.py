"""A ticker's daily prices, fetched once and kept as a plain CSV under downloads/.

    python run_lstm.py --ticker AAPL          # Yahoo Finance, through yfinance
    python run_lstm.py --ticker fred:SP500    # a FRED series (also NASDAQCOM, DJIA, VIXCLS, ...)
    python series_csv.py --ticker AAPL        # only fetch, and show what would be read

The first run downloads and writes downloads/AAPL.csv (downloads/fred-SP500.csv for FRED); every
later run reads that file and needs neither the network nor yfinance, until --refresh fetches it
again. yfinance is an unofficial client of Yahoo's public pages, for personal and teaching use;
it is optional (python -m pip install yfinance). FRED's graph CSV needs no key. Yahoo's own
download button and Stooq's CSV links are closed to scripts. Keras-free, like series_csv.py.
"""

import io
import re
import urllib.error
import urllib.request
import warnings

import plumbing
from plumbing import InputError

DOWNLOADS = "downloads"  # the folder for fetched prices, under the repo (git-ignored)
FRED_URL = "https://fred.stlouisfed.org/graph/fredgraph.csv?id={}"  # keyless, one series a CSV
FRED_PAGE = "fred.stlouisfed.org/series/{}"  # the series' page, with a "Download" button
TIMEOUT = 30  # seconds to wait for FRED's answer
TICKER = re.compile(r"(fred:)?([A-Za-z0-9.^=_-]{1,20})")  # AAPL, BRK-B, ^GSPC, EURUSD=X, fred:SP500
BY_HAND = ("or download the prices by hand (nasdaq.com's \"Download historical data\", "
           "MarketWatch or investing.com) and give the file with --csv")


def cached_path(ticker):
    """Where a ticker's prices are kept: downloads/AAPL.csv, downloads/fred-SP500.csv."""
    found = TICKER.fullmatch(ticker.strip())
    if not found:
        raise InputError(f"--ticker {ticker!r} is not a ticker; give one such as AAPL, ^GSPC "
                         "or fred:SP500.")
    name = f"fred-{found[2].upper()}" if found[1] else found[2].upper()
    return plumbing.repo_root() / DOWNLOADS / f"{name}.csv"


def check_can_fetch(ticker, refresh):
    """Refuse, before any work, a Yahoo ticker to download without yfinance installed."""
    needed = refresh or not cached_path(ticker).is_file()
    if needed and not ticker.lower().startswith("fred:"):
        try:
            import yfinance  # noqa: F401
        except ImportError:
            raise InputError("--ticker needs the yfinance package, which this Python does not "
                             "have; install it with `python -m pip install yfinance`, " + BY_HAND
                             + ".") from None


def fetch(ticker, refresh=False):
    """The path of the ticker's prices: the saved file, or a new download saved there first.
    Says where the prices came from and where they are."""
    path = cached_path(ticker)
    if path.is_file() and not refresh:
        print(f"Prices of {ticker}: {path} (saved by an earlier run; --refresh fetches them "
              "again)")
        return path
    if ticker.lower().startswith("fred:"):
        text, source = fred_text(ticker[5:].strip().upper()), "FRED (fred.stlouisfed.org)"
    else:
        text, source = yahoo_text(ticker.strip().upper()), "Yahoo Finance (through yfinance)"
    plumbing.write_text(path, text, "--ticker")
    print(f"Prices of {ticker}: downloaded from {source}, {text.count(chr(10)) - 1:,} rows, "
          f"saved to {path}")
    return path


def yahoo_text(symbol):
    """The symbol's daily prices from yf.download as a plain CSV: Date,Close,High,Low,Open,Volume.

    yf.download gives columns on two levels (Price, Ticker), and a table with no rows when the
    symbol is unknown, the network is down or Yahoo limits requests (it logs, never raises).
    """
    import logging

    import yfinance as yf

    logging.getLogger("yfinance").setLevel(logging.CRITICAL)  # its own report of a failure
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # yfinance's notes on pandas' coming changes
            frame = yf.download(symbol, period="max", auto_adjust=True, progress=False)
    except Exception as error:  # noqa: BLE001 - any failure of the client is the same sentence
        frame, why = None, f" ({type(error).__name__})"
    else:
        why = ""
    if frame is None or frame.empty or "Close" not in frame.columns.get_level_values(0):
        raise InputError(f"Yahoo Finance sent no prices for {symbol}{why}: check the ticker on "
                         "finance.yahoo.com, the network, or wait a few minutes if Yahoo is "
                         f"limiting requests; {BY_HAND}.")
    if frame.columns.nlevels > 1:
        frame = frame.xs(frame.columns.get_level_values(1)[0], axis=1, level=1)
    if frame.index.tz is not None:
        frame.index = frame.index.tz_localize(None)  # the exchange's own dates
    frame = frame.dropna(subset=["Close"]).rename_axis("Date")
    frame.columns.name = None
    return frame.to_csv(date_format="%Y-%m-%d", float_format="%.10g", lineterminator="\n")


def fred_text(series):
    """A FRED series as FRED's own CSV (observation_date,SP500; empty for a missing day)."""
    import pandas as pd

    try:
        with urllib.request.urlopen(FRED_URL.format(series), timeout=TIMEOUT) as answer:
            text = answer.read().decode("utf-8-sig")
    except urllib.error.HTTPError as error:
        raise InputError(f"FRED answered {error.code} for the series {series}: check its id "
                         "on fred.stlouisfed.org (SP500, NASDAQCOM, DJIA, VIXCLS...).") from None
    except (OSError, ValueError) as error:  # no network, no name service, a timeout
        reason = getattr(error, "reason", None) or error
        raise InputError(f"Could not reach FRED for the series {series} ({reason}): check the "
                         f"network, or download the CSV from {FRED_PAGE.format(series)} and give "
                         "it with --csv.") from None
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (ValueError, pd.errors.ParserError):
        frame = pd.DataFrame()
    if list(frame.columns[1:]) != [series] or frame.empty:
        raise InputError(f"FRED sent no CSV for the series {series}: check its id, or "
                         f"download the CSV from {FRED_PAGE.format(series)} and give it with "
                         "--csv.")
    return text if text.endswith("\n") else text + "\n"

