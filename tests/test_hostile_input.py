"""Hostile input: missing, empty, corrupt and wrong-kind files, nonsense settings, bad outputs.

    python -m pytest -m dev tests/test_hostile_input.py

Every case builds its own files in a temporary folder, runs a script the way a careless or
unlucky user would, and checks three things: the exit status; where the run is refused, one
plain sentence on stderr and no traceback (or argparse's own usage format for a bad flag); and
that no file that existed before was changed or removed, and no new file was left behind.

These are slow developer tests (a new Python for most cases), left out of the plain
`python -m pytest`; CI runs them as a second step.
"""

import pytest

from conftest import REPO_ROOT, assert_plain_error, assert_usage_error, snapshot  # noqa: F401

pytestmark = pytest.mark.dev


# %% mlp.py


# %% rnn.py


# %% min_char_rnn.py


# %% lstm.py and run_lstm.py
# Refused before Keras loads: a new Python each (under a second). Cases that need Keras (bad
# data, bad model files, numbers that blow up) call main() in this process, which loads Keras
# once. Outputs of runs that succeed go to a folder outside the snapshot.
LSTM_SEED_MAX = 2**32 - 1


@pytest.fixture(scope="module")
def lstm_runner(load_script):
    return load_script("run_lstm")


def lstm_csv(folder, rows, name="prices.csv", header="Date,Close"):
    """A CSV of `header` and rows (tuples), as a user's download would hold it."""
    path = folder / name
    lines = [header, *(",".join(map(str, row)) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def lstm_days(count, start="2020-01-01"):
    import pandas as pd

    return [f"{day:%Y-%m-%d}" for day in pd.bdate_range(start, periods=count)]


def lstm_prices(count, level=100.0):
    import numpy as np

    return level * (2.0 + np.sin(np.arange(count) / 5.0))


def lstm_in_process(runner, capsys, *args):
    """run_lstm.main() in this process, reported like a finished command."""
    from types import SimpleNamespace

    code = runner.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)


def lstm_small_run(tmp_path_factory):
    """Flags for a tiny, fast run that writes its figures outside the snapshot."""
    out = tmp_path_factory.mktemp("out")
    return ["--seq-len", "5", "--epochs", "1", "--mode", "point", "--plot-dir", out]


@pytest.mark.parametrize("make, flag, words", [
    (lambda t: t / "folder.json", "--json", ["--json", "folder"]),
    (lambda t: t / "file.txt" / "out.json", "--json", ["--json", "file.txt", "is a file"]),
    (lambda t: t / "file.txt", "--plot-dir", ["--plot-dir", "is a file"]),
    (lambda t: t / "file.txt" / "figures", "--plot-dir", ["--plot-dir", "is a file"]),
    (lambda t: t / "folder.keras", "--save-model", ["--save-model", "folder"]),
    (lambda t: t / "file.txt" / "m.keras", "--save-model", ["--save-model", "is a file"]),
    (lambda t: t / "model.h5", "--save-model", ["--save-model", ".keras"]),
])
def test_lstm_outputs_checked_before_keras_loads(run_script, tmp_path, make, flag, words):
    (tmp_path / "folder.json").mkdir()
    (tmp_path / "folder.keras").mkdir()
    (tmp_path / "file.txt").write_text("keep me\n", encoding="utf-8")
    before = snapshot(tmp_path)
    short = ["--epochs", "1", "--mode", "point"]  # in case the check fails: a short run
    result = run_script("run_lstm", "sine", *short, flag, make(tmp_path), cwd=tmp_path)
    assert_plain_error(result, *words)
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(__import__("os").geteuid() == 0,
                    reason="root writes to read-only files and folders")
@pytest.mark.parametrize("flag, target", [("--json", "out.json"), ("--save-model", "m.keras"),
                                          ("--plot-dir", "figures")])
def test_lstm_read_only_outputs(run_script, tmp_path, flag, target):
    path = tmp_path / target
    if target == "figures":
        path.mkdir()
        path.chmod(0o500)
    else:
        path.write_text("old\n", encoding="utf-8")
        path.chmod(0o400)
    before = snapshot(tmp_path)
    assert_plain_error(run_script("run_lstm", "sine", flag, path, cwd=tmp_path), flag)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("args, words", [
    (["--seed", "-1"], ["--seed", str(LSTM_SEED_MAX)]),
    (["--seed", str(LSTM_SEED_MAX + 1)], ["--seed", str(LSTM_SEED_MAX)]),
    (["--train-frac", "nan"], ["--train-frac"]),
    (["--forecast", "-1"], ["--forecast"]),
    (["--epochs", "0"], ["--epochs", "--load-model"]),
    (["--load-model", "nowhere.keras"], ["nowhere.keras"]),
])
def test_lstm_nonsense_settings(run_script, tmp_path, args, words):
    before = snapshot(tmp_path)
    assert_plain_error(run_script("run_lstm", *args, cwd=tmp_path), *words)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("args, words", [
    (["--mode", "sideways"], ["--mode"]),
    (["--epochs", "many"], ["--epochs"]),
    (["--symbol"], ["--symbol"]),
])
def test_lstm_bad_flags_keep_argparse_format(run_script, tmp_path, args, words):
    assert_usage_error(run_script("run_lstm", *args, cwd=tmp_path), *words)


def test_lstm_help_into_a_closed_pipe_is_quiet(tmp_path):
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, str(REPO_ROOT / "run_lstm.py"), "--help"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    process.stdout.close()  # the reader went away before the first line: `| head -0`
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in stderr and "Error" not in stderr, stderr


@pytest.mark.parametrize("rows, words, absent", [
    ([("2020-01-02", 10), ("2020-01-03", "-inf"), ("2020-01-06", 12)], ["-inf", "line 3"],
     []),
    ([("01/02/2020", 10)] + [(day, 11) for day in ("2020-01-03", "2020-01-06", "2020-01-07")],
     ["mixes", "01/02/2020", "2020-01-03"], ["cannot be read"]),
])
def test_lstm_misleading_data_messages(lstm_runner, capsys, tmp_path, rows, words, absent):
    csv = lstm_csv(tmp_path, rows)
    before = snapshot(tmp_path)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, "--json", tmp_path / "o.json")
    assert_plain_error(result, *words)
    for word in absent:
        assert word not in result.stderr
    assert snapshot(tmp_path) == before


def test_lstm_one_line_of_two_million_numbers(lstm_runner, capsys, tmp_path):
    csv = tmp_path / "long.csv"
    csv.write_text(",".join(str(i % 97 + 1) for i in range(2_000_000)), encoding="utf-8")
    before = snapshot(tmp_path)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv)
    assert_plain_error(result, "2,000,000 numbers", "one number a line")
    assert len(result.stderr) < 400
    assert snapshot(tmp_path) == before


def lstm_stocks(folder, symbols=("MSFT", "AAPL", "GOOG"), days=80, column="symbol"):
    rows = [(symbol, day, price) for index, symbol in enumerate(symbols)
            for day, price in zip(lstm_days(days), lstm_prices(days, 10.0 * (index + 1)),
                                  strict=True)]
    return lstm_csv(folder, rows, "stocks.csv", f"{column},date,close")


@pytest.mark.parametrize("column", ["symbol", "Ticker", "Name"])
def test_lstm_several_stocks_need_a_choice(lstm_runner, capsys, tmp_path, column):
    csv = lstm_stocks(tmp_path, column=column)
    before = snapshot(tmp_path)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv)
    assert_plain_error(result, "3 stocks", "MSFT", "AAPL", "GOOG", "--symbol")
    assert snapshot(tmp_path) == before


def test_lstm_many_stocks_are_listed_briefly(lstm_runner, capsys, tmp_path):
    csv = lstm_stocks(tmp_path, [f"S{index:02d}" for index in range(30)], days=30)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv)
    assert_plain_error(result, "30 stocks", "S00", "--symbol")
    assert "S29" not in result.stderr


def test_lstm_symbol_picks_one_stock(lstm_runner, capsys, tmp_path, tmp_path_factory):
    csv = lstm_stocks(tmp_path)
    before = snapshot(tmp_path)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, "--symbol", "AAPL",
                             *lstm_small_run(tmp_path_factory))
    assert result.returncode == 0, result.stderr
    assert "AAPL" in result.stdout and "80 rows" in result.stdout
    assert "Dropped" not in result.stdout
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("stocks, words", [(True, ["no rows", "ZZZZ", "AAPL"]),
                                           (False, ["--symbol", "no column"])])
def test_lstm_symbol_that_cannot_be_found(lstm_runner, capsys, tmp_path, stocks, words):
    csv = lstm_stocks(tmp_path) if stocks else lstm_csv(
        tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    before = snapshot(tmp_path)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, "--symbol", "ZZZZ")
    assert_plain_error(result, *words)
    assert snapshot(tmp_path) == before


def test_lstm_repeated_dates_without_a_stock_column(lstm_runner, capsys, tmp_path,
                                                    tmp_path_factory):
    days = lstm_days(80)
    rows = list(zip(days, lstm_prices(80), strict=True)) + [(days[3], 5.0), (days[9], 6.0)]
    csv = lstm_csv(tmp_path, rows)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, *lstm_small_run(tmp_path_factory))
    assert result.returncode == 0, result.stderr
    assert "Dropped 2 rows" in result.stdout and "kept the last row" in result.stdout


def test_lstm_largest_seed(lstm_runner, capsys, tmp_path, tmp_path_factory):
    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, "--seed", str(LSTM_SEED_MAX),
                             *lstm_small_run(tmp_path_factory))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("level, flags, words", [
    (1e300, ["--no-normalise"], ["too large"]),  # beyond the network's 32-bit floats
    (1e30, ["--no-normalise"], ["loss"]),  # fits in 32 bits, but its square does not
    (1e300, [], ["too large"]),  # normalised it trains, but the errors cannot be squared
])
def test_lstm_numbers_that_blow_up(lstm_runner, capsys, tmp_path, tmp_path_factory, level,
                                   flags, words):
    import warnings

    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80, level), strict=True))
    before = snapshot(tmp_path)
    json_path = tmp_path / "out.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = lstm_in_process(lstm_runner, capsys, "--csv", csv, *flags, "--json", json_path,
                                 *lstm_small_run(tmp_path_factory))
    assert_plain_error(result, *words)
    assert "Test span" not in result.stdout and "Done" not in result.stdout  # no scores
    assert not [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert snapshot(tmp_path) == before


def lstm_saved_model(runner, capsys, folder, run_args, name="model.keras"):
    """A model trained and saved by run_lstm.py itself, in this process."""
    path = folder / name
    result = lstm_in_process(runner, capsys, *run_args, "--save-model", path)
    assert result.returncode == 0, result.stderr
    return path


def lstm_keras_file(folder, layers, name="model.keras"):
    import keras

    path = folder / name
    keras.Sequential(layers).save(path)
    return path


def lstm_bad_model(folder, name):
    """One kind of bad --load-model file, made in `folder`."""
    import zipfile

    import keras

    path = folder / f"{name}.keras"
    if name == "empty":
        path.write_bytes(b"")
    elif name == "random":
        path.write_bytes(bytes(range(256)) * 8)
    elif name == "noconfig":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "not a model")
    elif name == "flat":
        lstm_keras_file(folder, [keras.Input((5,)), keras.layers.Dense(1)], path.name)
    elif name == "lambda":
        lstm_keras_file(folder, [keras.Input((5, 1)), keras.layers.Lambda(lambda x: x[:, -1])],
                        path.name)
    elif name == "truncated":
        good = lstm_keras_file(folder, [keras.Input((5, 1)), keras.layers.LSTM(2),
                                        keras.layers.Dense(1)], "good.keras")
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
        good.unlink()
    elif name == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize("name, words", [
    ("empty", ["empty"]), ("random", ["not a Keras model"]), ("noconfig", ["not a Keras model"]),
    ("flat", ["(steps, columns)"]), ("lambda", ["custom code"]), ("truncated", []),
    ("folder", ["folder"]),
])
def test_lstm_bad_model_files(lstm_runner, capsys, tmp_path, name, words):
    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    path = lstm_bad_model(tmp_path, name)
    before = snapshot(tmp_path)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, "--load-model", path,
                             "--epochs", "0", "--seq-len", "5")
    assert_plain_error(result, path.name, *words)
    assert snapshot(tmp_path) == before


@pytest.fixture(scope="module")
def lstm_trained_pair(lstm_runner, tmp_path_factory):
    """A CSV of Close, Open and Volume; a model trained on Close,Volume; an edited copy of it
    whose saved window length (9) no longer matches the model's (5)."""
    import json
    import zipfile

    folder = tmp_path_factory.mktemp("pair")
    rows = [(day, price, price / 2, 1000 + index) for index, (day, price)
            in enumerate(zip(lstm_days(80), lstm_prices(80), strict=True))]
    csv = lstm_csv(folder, rows, header="Date,Close,Open,Volume")
    small = lstm_small_run(tmp_path_factory)
    model = folder / "model.keras"
    assert lstm_runner.main([*map(str, ["--csv", csv, "--columns", "Close,Volume", *small,
                                        "--save-model", model])]) == 0
    edited = folder / "edited.keras"
    with zipfile.ZipFile(model) as source, zipfile.ZipFile(edited, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith(".json") and b'"seq_len"' in data:
                saved = json.loads(data)
                saved["seq_len"] = 9
                data = json.dumps(saved).encode()
            target.writestr(item, data)
    return folder, csv, small[-1]


@pytest.mark.parametrize("name, flags, words", [
    ("model", ["--columns", "Close,Open"], ["Close, Volume", "--columns"]),
    ("model", ["--seq-len", "8"], ["--seq-len", "5"]),
    ("edited", [], ["edited.keras", "9"]),
])
def test_lstm_model_for_other_columns_or_window_length(lstm_runner, capsys, lstm_trained_pair,
                                                        name, flags, words):
    folder, csv, out = lstm_trained_pair
    capsys.readouterr()  # the training run of the fixture
    before = snapshot(folder)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, "--load-model",
                             folder / f"{name}.keras", "--epochs", "0", "--mode", "point",
                             *flags, "--plot-dir", out)
    assert_plain_error(result, *words)
    assert snapshot(folder) == before


def test_lstm_model_with_nan_weights(lstm_runner, capsys, tmp_path, tmp_path_factory):
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((5, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    model.layers[-1].set_weights([np.full((2, 1), np.nan), np.zeros(1)])
    path = tmp_path / "nan.keras"
    model.save(path)
    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    before = snapshot(tmp_path)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, "--load-model", path,
                             "--epochs", "0", "--seq-len", "5", "--mode", "point",
                             "--plot-dir", tmp_path_factory.mktemp("out"))
    assert_plain_error(result, "nan.keras", "predictions")
    assert snapshot(tmp_path) == before


def test_lstm_a_failed_save_keeps_the_old_model(lstm_runner, capsys, tmp_path,
                                                 tmp_path_factory):
    csv = lstm_csv(tmp_path, zip(lstm_days(80), lstm_prices(80), strict=True))
    small = lstm_small_run(tmp_path_factory)
    model = lstm_saved_model(lstm_runner, capsys, tmp_path, ["--csv", csv, *small])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model.keras", "prices.csv"]
    (tmp_path / ".model.tmp.keras").mkdir()  # the fixed temporary name cannot be written
    before = snapshot(tmp_path)
    result = lstm_in_process(lstm_runner, capsys, "--csv", csv, *small, "--save-model", model)
    assert_plain_error(result, "model.keras")
    assert snapshot(tmp_path) == before
    (tmp_path / ".model.tmp.keras").rmdir()
    (tmp_path / ".model.tmp.keras").write_bytes(b"left by a killed write")
    lstm_saved_model(lstm_runner, capsys, tmp_path, ["--csv", csv, *small])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["model.keras", "prices.csv"]


def test_lstm_py_without_arguments_describes_the_sp500(load_script, capsys):
    assert load_script("lstm").main([]) == 0
    assert "sp500.csv" in capsys.readouterr().out


# %% stubs/make_stubs.py, data/make_data.py and check_setup.py
