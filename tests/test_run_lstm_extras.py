"""Tests for run_lstm.py's after-class tools: the predictions CSV, --live, --cell, and the
checks that come before any work (packages, backend, outputs, Ctrl-C).

    python -m pytest tests/test_run_lstm_extras.py            # the quick ones
    python -m pytest -m dev tests/test_run_lstm_extras.py     # also the tiny training runs

Every run calls main() in this process, so Keras loads once.
"""

import importlib.util
import json
import sys

import numpy as np
import pandas as pd
import pytest
from test_run_lstm import check_build_model_first  # build_model's hint first

from conftest import (
    REPO_ROOT,
    assert_plain_error,
    assert_usage_error,
    optional_exercise,
    run_in_process,
    snapshot,
)

PREDICTION_COLUMNS = ["truth", "naive", "one_step", "free_run", "restarted"]

pytestmark = pytest.mark.usefixtures("a_file_preset")  # they read files


@pytest.fixture(scope="module")
def run_lstm(load_script):
    return load_script("run_lstm")


def stock_csv(folder, rows=160, name="stock.csv"):
    """A dated CSV of a positive wave, one row a weekday, as a download would hold it."""
    dates = pd.bdate_range("2020-01-01", periods=rows)
    close = 100 * (2.0 + np.sin(np.arange(rows) / 6.0))
    path = folder / name
    pd.DataFrame({"Date": dates.strftime("%Y-%m-%d"), "Close": close}).to_csv(path, index=False)
    return path


def rmse(predicted, truth):
    """RMSE over the rows where both are present, as a reader of the CSV would compute it."""
    error = (predicted - truth).dropna()
    return float(np.sqrt(np.mean(error**2)))


def scores_from_csv(table, seq_len, prediction_len):
    """The --json scores, recomputed from the CSV's columns alone."""
    test = table[table["kind"] == "test"].reset_index(drop=True)
    first = test.iloc[:min(seq_len, len(test))]
    restarted = test.dropna(subset=["restarted"])
    restart_flat = test["naive"].iloc[::prediction_len].repeat(prediction_len).to_numpy()
    return {"test_rmse": rmse(test["one_step"], test["truth"]),
            "persistence_rmse": rmse(test["naive"], test["truth"]),
            "free_run_rmse": rmse(first["free_run"], first["truth"]),
            "free_run_persistence_rmse": rmse(first["truth"] * 0 + test["naive"].iloc[0],
                                              first["truth"]),
            "multiple_rmse": rmse(restarted["restarted"], restarted["truth"]),
            "multiple_persistence_rmse": rmse(pd.Series(restart_flat[:len(restarted)]),
                                              restarted["truth"])}


# %% The predictions CSV, from made-up predictions (no Keras)
@pytest.mark.parametrize("dated", [True, False])
def test_predictions_csv_reproduces_the_printed_scores(run_lstm, capsys, tmp_path, dated):
    import series_csv

    rows, n_test, seq_len, length = 60, 12, 5, 5
    values = 100 + np.arange(rows, dtype=float)[:, None] ** 1.5  # (rows, 1)
    dates = pd.bdate_range("2021-03-01", periods=rows) if dated else None
    series = series_csv.Series(values, dates, ["Close"])
    truth, today = values[-n_test:, 0], values[-n_test - 1:-1, 0]
    rng = np.random.default_rng(0)
    results = {"point": truth + rng.normal(size=n_test), "full": truth + np.arange(n_test),
               "multiple": (truth[:10] - 1.5).reshape(2, length)}
    settings = {"cell": "lstm", "seq_len": seq_len, "plot_dir": tmp_path, "name": "made_up"}
    figures = run_lstm.report(truth, today, results, settings)
    capsys.readouterr()
    after = pd.bdate_range(dates[-1], periods=4)[1:] if dated else None  # 3 more weekdays
    ahead = (np.array([1.0, 2.0, 3.0]), after)
    table = run_lstm.predictions_table(series, truth, today, results, ahead)
    run_lstm.write_predictions(table, settings)
    printed = capsys.readouterr().out
    assert "Wrote made_up_predictions.csv (12 test rows, 3 forecast rows)" in printed
    back = pd.read_csv(tmp_path / "made_up_predictions.csv")
    where = ["step", "date"] if dated else ["step"]
    assert list(back.columns) == [*where, "kind", *PREDICTION_COLUMNS, "forecast"]
    assert list(back["kind"]) == ["test"] * n_test + ["forecast"] * 3
    assert back.loc[back["kind"] == "forecast", PREDICTION_COLUMNS].isna().all().all()
    assert back["restarted"].isna().sum() == n_test - 10 + 3  # past the last whole run
    recomputed = scores_from_csv(back, seq_len, length)
    for key, value in recomputed.items():
        assert value == pytest.approx(figures[key], rel=1e-8), key
    if dated:
        parsed = pd.to_datetime(back["date"], format="%Y-%m-%d")
        assert (parsed[:n_test] == dates[-n_test:]).all()
        assert parsed.iloc[n_test] > dates[-1] and parsed.is_monotonic_increasing
    assert list(back["step"]) == list(range(rows - n_test, rows + 3))


# %% Checked before any work: outputs, packages, the backend, settings
def test_a_refused_predictions_file_writes_nothing(run_lstm, capsys, tmp_path):
    plots = tmp_path / "plots"
    (plots / "sine_predictions.csv").mkdir(parents=True)  # a folder where the CSV would go
    (tmp_path / "link").symlink_to(REPO_ROOT / "mlp.py")
    before = snapshot(tmp_path)
    result = run_in_process(run_lstm, capsys, "sine", "--plot-dir", plots,
                            "--json", tmp_path / "out.json")
    assert_plain_error(result, "--plot-dir", "sine_predictions.csv", "folder")
    assert result.stdout == "" and snapshot(tmp_path) == before
    (plots / "sine_predictions.csv").rmdir()
    (plots / "sine_predictions.csv").symlink_to(REPO_ROOT / "mlp.py")
    result = run_in_process(run_lstm, capsys, "sine", "--plot-dir", plots)
    assert_plain_error(result, "--plot-dir", "workshop's own files")
    assert (plots / "sine_predictions.csv").is_symlink()


@pytest.mark.parametrize("args, words", [
    (["sp500", "--json", "data/sp500.csv"], ["--json", "same file as --csv"]),
    (["sine", "--json", "data/sp500.csv"], ["--json", "workshop's own files"]),
    (["--csv", "{tmp}/s.csv", "--json", "{tmp}/s.csv"], ["--json", "same file as --csv"]),
    (["--csv", "{tmp}/s.csv", "--plot-dir", "{tmp}", "--json", "{tmp}/s_point.png"],
     ["--plot-dir", "s_point.png", "same file as --json"]),
])
def test_outputs_that_would_overwrite_an_input_are_refused(run_lstm, capsys, tmp_path, args,
                                                           words, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    stock_csv(tmp_path, name="s.csv")
    before = snapshot(tmp_path)
    result = run_in_process(run_lstm, capsys, *[arg.format(tmp=tmp_path) for arg in args])
    assert_plain_error(result, *words)
    assert snapshot(tmp_path) == before


def test_a_zero_to_normalise_by_is_named_by_line_date_and_column(run_lstm, tmp_path):
    import series_csv

    path = tmp_path / "prices.csv"
    path.write_text("Date,Close,Volume\n2020-01-02,11,0\n2020-01-01,10,100\n2020-01-03,12,300\n")
    with pytest.raises(run_lstm.InputError) as error:
        run_lstm.check_no_zeros(series_csv.read_series(path, ["Close", "Volume"]), path)
    for word in ("line 2", "(2020-01-02)", "Volume = 0", "leave 'Volume' out of --columns"):
        assert word in str(error.value)
    with pytest.raises(run_lstm.InputError, match="line 2 .* --no-normalise"):
        run_lstm.check_no_zeros(series_csv.read_series(path, ["Volume"]), path)
    run_lstm.check_no_zeros(series_csv.read_series(path), path)  # Close alone has no zero


def test_windows_that_cannot_fit_in_memory_are_refused_before_keras(run_lstm, capsys, tmp_path):
    csv = tmp_path / "long.csv"
    csv.write_text("".join(f"{2 + np.sin(i / 9):.4f}\n" for i in range(20_000)))
    result = run_in_process(run_lstm, capsys, "--csv", csv, "--seq-len", "6000",
                            "--plot-dir", tmp_path)
    assert_plain_error(result, "--seq-len", "GiB")
    assert result.stdout == ""


def test_without_matplotlib_the_run_ends_before_any_work(run_lstm, capsys, tmp_path,
                                                         monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    result = run_in_process(run_lstm, capsys, "sine", "--plot-dir", tmp_path)
    assert_plain_error(result, "matplotlib", "pip install -r requirements.txt")
    assert result.stdout == "" and not list(tmp_path.iterdir())


def test_without_a_keras_backend_the_run_ends_before_any_work(run_lstm, capsys, tmp_path,
                                                               monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *rest: None if name in (
        "tensorflow", "jax", "torch") else find_spec(name, *rest))
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    result = run_in_process(run_lstm, capsys, "sine", "--plot-dir", tmp_path)
    assert_plain_error(result, "backend", "install")
    assert result.stdout == "" and not list(tmp_path.iterdir())


def test_a_cell_that_does_not_exist(run_lstm, capsys, monkeypatch):
    assert_usage_error(run_in_process(run_lstm, capsys, "--cell", "transformer"), "--cell")
    monkeypatch.setattr(run_lstm, "CELL", "transformer")  # the Settings cell, in a notebook
    assert_plain_error(run_in_process(run_lstm, capsys), "CELL", "lstm, gru, simple")


# %% --cell (quick: no training)
@pytest.mark.exercise("lstm.build_model")
@pytest.mark.parametrize("cell", ["lstm", "gru", "simple"])
def test_the_model_is_made_of_the_named_cell(run_lstm, load_script, cell):
    check_build_model_first(load_script("lstm"))
    settings = {**run_lstm.PRESETS["sine"], "seq_len": 6, "cell": cell, "load_model": None}
    model = run_lstm.get_model(settings, n_columns=2)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [run_lstm.CELL_NAMES[cell], "Dropout", run_lstm.CELL_NAMES[cell], "Dropout",
                     "Dense"]


@pytest.mark.exercise("lstm.build_model")
@pytest.mark.filterwarnings("ignore:Skipping variable loading")  # never trained
def test_a_saved_cell_is_adopted_or_refused(run_lstm, load_script, capsys, tmp_path):
    lstm = load_script("lstm")
    check_build_model_first(lstm)
    cell = "simple" if run_lstm.CELL == "gru" else "gru"  # not the Settings cell's CELL
    model = lstm.build_model(8, 1, (4, 4), 0.0, 0.01,
                             cell=getattr(lstm.keras.layers, run_lstm.CELL_NAMES[cell]))
    saved = lstm.save_model(model, tmp_path / f"{cell}.keras",
                            {"normalise": False, "seq_len": 8, "columns": ["Close"],
                             "cell": cell})
    common = ["--csv", stock_csv(tmp_path), "--load-model", saved, "--epochs", "0",
              "--mode", "point", "--plot-dir", tmp_path / "plots"]
    before = snapshot(tmp_path)
    refused = run_in_process(run_lstm, capsys, *common, "--cell", "lstm")
    assert_plain_error(refused, f"--cell {cell}", "--cell lstm", "leave out --cell")
    assert snapshot(tmp_path) == before
    adopted = run_in_process(run_lstm, capsys, *common)
    assert adopted.returncode == 0, adopted.stderr
    assert f"trained with --cell {cell}; using that" in adopted.stdout
    assert f"{run_name(cell)}, point by point" in adopted.stdout
    unknown = lstm.save_model(model, tmp_path / "tree.keras",
                              {"normalise": False, "seq_len": 8, "columns": ["Close"],
                               "cell": "tree"})
    common[common.index(saved)] = unknown
    assert_plain_error(run_in_process(run_lstm, capsys, *common), "'tree'", "damaged")


# %% Ctrl-C while it trains
@pytest.mark.exercise("lstm.build_model")
def test_ctrl_c_during_training_writes_nothing(run_lstm, load_script, capsys, tmp_path,
                                               monkeypatch):
    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(load_script("lstm"), "train", stopped)
    model = tmp_path / "m.keras"
    result = run_in_process(run_lstm, capsys, "--csv", stock_csv(tmp_path), "--seq-len", "5",
                            "--no-normalise", "--plot-dir", tmp_path / "plots",
                            "--json", tmp_path / "o.json", "--save-model", model)
    assert result.returncode == 130
    assert result.stderr.strip().splitlines() == [
        "Stopped by Ctrl-C; nothing was written, so earlier results are as they were."]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["stock.csv"]


# %% Tiny training runs (python -m pytest -m dev)
@pytest.fixture(scope="module")
def tiny_run(run_lstm, tmp_path_factory):
    """A dated CSV, and a function that trains on it for two epochs with extra flags."""
    folder = tmp_path_factory.mktemp("tiny")
    csv = stock_csv(folder)

    def run(capsys, name, *flags):
        out = folder / name
        flags = [str(flag).format(out=out) for flag in flags]
        with optional_exercise():  # the stock is normalised: skipped until that is written
            result = run_in_process(run_lstm, capsys, "--csv", csv, "--seq-len", "8", "--epochs",
                                    "2", "--batch-size", "32", "--prediction-len", "5",
                                    "--plot-dir", out, "--json", out / "run.json", *flags)
        assert result.returncode == 0, result.stderr
        return result, json.loads((out / "run.json").read_text()), out
    return run


def without_times(figures):
    return {key: value for key, value in figures.items() if "seconds" not in key}


@pytest.mark.dev
@pytest.mark.exercise("lstm.build_model")
def test_the_predictions_csv_of_a_run(tiny_run, capsys):
    result, figures, out = tiny_run(capsys, "csv", "--forecast", "4")
    table = pd.read_csv(out / "stock_predictions.csv", parse_dates=["date"])
    assert list(table.columns) == ["step", "date", "kind", *PREDICTION_COLUMNS, "forecast"]
    printed = int(result.stdout.split("Test: ")[1].split(" rows")[0])
    test = table[table["kind"] == "test"]
    assert len(test) == printed == 16 and (table["kind"] == "forecast").sum() == 4
    assert f"Wrote stock_predictions.csv ({printed} test rows, 4 forecast rows)" in result.stdout
    for key, value in scores_from_csv(table, seq_len=8, prediction_len=5).items():
        assert value == pytest.approx(figures[key], rel=1e-6), key
    assert test["date"].iloc[0] == pd.bdate_range("2020-01-01", periods=160)[144]  # 90% in
    assert table["date"].is_monotonic_increasing and table["date"].dt.day_of_week.max() < 5
    assert not list(out.glob(".*"))  # no temporary file left behind
    forecast = result.stdout.split("Forecast for the next 4 ")[1].splitlines()[1:5]
    assert len({len(line.split()[-1].split(".")[-1]) for line in forecast}) == 1, forecast


def test_forecast_values_print_with_one_number_of_decimals(run_lstm):
    for values, shown in (([38.6, 38.55], ["38.60", "38.55"]), ([2745.3, 812.0], ["2745", "812"]),
                          ([0.5, 0.0123], ["0.5000", "0.0123"])):
        places = run_lstm.decimal_places(np.array(values))
        assert [f"{value:.{places}f}" for value in values] == shown


@pytest.mark.dev
@pytest.mark.exercise("lstm.build_model")
def test_live_draws_off_screen_and_changes_no_number(tiny_run, capsys):
    plain, plain_figures, _ = tiny_run(capsys, "plain")
    live, live_figures, out = tiny_run(capsys, "live", "--live")
    assert "backend here cannot open a window" in live.stdout  # MPLBACKEND=Agg in the tests
    assert "Live view: 3 redraws" in live.stdout  # before training, then after each epoch
    assert "Live view" not in plain.stdout
    assert without_times(live_figures) == without_times(plain_figures)
    assert sorted(path.name for path in out.iterdir()) == sorted(
        path.name for path in (out.parent / "plain").iterdir())  # no extra file


@pytest.mark.dev
@pytest.mark.exercise("lstm.build_model")
@pytest.mark.parametrize("cell", ["gru", "simple"])
def test_a_tiny_run_of_each_cell_trains_and_keeps_its_cell(tiny_run, capsys, load_script,
                                                           cell):
    result, figures, out = tiny_run(capsys, cell, "--cell", cell, "--mode", "point",
                                    "--save-model", "{out}/model.keras")
    model = out / "model.keras"
    assert figures["cell"] == cell and figures["val_loss"][-1] < figures["loss"][0]
    assert f"{run_name(cell)}, point by point" in result.stdout
    saved = load_script("lstm").load_model(model)
    assert type(saved.layers[0]).__name__ == run_name(cell)
    assert load_script("lstm").read_trained_on(model)["cell"] == cell
    refused = run_in_process(load_script("run_lstm"), capsys, "--csv", out.parent / "stock.csv",
                             "--load-model", model, "--epochs", "0", "--cell", "lstm")
    assert_plain_error(refused, f"--cell {cell}", "--cell lstm")


def run_name(cell):
    return {"gru": "GRU", "simple": "SimpleRNN"}[cell]
