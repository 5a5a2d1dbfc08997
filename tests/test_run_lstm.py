"""Tests for run_lstm.py, the runner: tiny runs of each preset, and bad input refused plainly.

    python -m pytest tests/test_run_lstm.py                 # the solution
    python -m pytest --impl stubs tests/test_run_lstm.py    # with your exercise version

Loading Keras takes seconds, so only a few tests start a new Python; the rest call main()
in this process. Bad flags and missing files are refused before Keras is even loaded.
"""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from conftest import assert_plain_error

JSON_KEYS = {"dataset", "test_rmse", "test_mae", "test_mse", "persistence_rmse", "rmse_ratio",
             "direction_accuracy", "fit_seconds", "seconds", "epochs", "free_run_rmse",
             "free_run_persistence_rmse"}


@pytest.fixture(scope="module")
def run_lstm(load_script):
    return load_script("run_lstm")


def run_in_process(run_lstm, capsys, *args):
    """main() in this process, reported like a finished command."""
    code = run_lstm.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=captured.out, stderr=captured.err)


def classic_file(tmp_path, values, name="classic.csv"):
    """A headerless file of one number a line, like the classic sinwave.csv."""
    path = tmp_path / name
    path.write_text("".join(f"{value:.6f}\n" for value in values), encoding="utf-8")
    return path


def positive_wave(points=240):
    return 2.0 + np.sin(np.arange(points) / 6.0)


# %% Tiny runs
def test_sp500_preset_tiny_run_writes_figures_and_json(run_script, tmp_path):
    result = run_script("run_lstm", "--epochs", "1", "--forecast", "3",
                        "--plot-dir", tmp_path, "--json", tmp_path / "sp500.json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "naive: tomorrow = today" in result.stdout and "LSTM / naive RMSE" in result.stdout
    figures = json.loads((tmp_path / "sp500.json").read_text(encoding="utf-8"))
    assert set(figures) == JSON_KEYS and figures["dataset"] == "sp500"
    assert 10 < figures["persistence_rmse"] < 40  # daily moves of the index in 2017-2018
    assert 0 <= figures["direction_accuracy"] <= 1 and figures["epochs"] == 1
    for suffix in ("point", "full", "multiple", "loss", "forecast"):
        assert (tmp_path / f"sp500_{suffix}.png").stat().st_size > 0


def test_sine_preset_tiny_run(run_script, tmp_path):
    result = run_script("run_lstm", "sine", "--epochs", "1", "--mode", "multiple",
                        "--plot-dir", tmp_path, "--json", tmp_path / "sine.json")
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads((tmp_path / "sine.json").read_text(encoding="utf-8"))
    assert figures["dataset"] == "sine" and figures["test_mse"] < 0.5
    assert sorted(path.name for path in tmp_path.glob("*.png")) == [
        "sine_loss.png", "sine_multiple.png", "sine_point.png"]


def test_own_csv_then_reload_the_saved_model(run_script, run_lstm, capsys, tmp_path):
    csv = classic_file(tmp_path, positive_wave())
    model = tmp_path / "wave.keras"
    common = ["--csv", csv, "--seq-len", "10", "--prediction-len", "5", "--plot-dir", tmp_path]
    trained = run_script("run_lstm", *common, "--epochs", "2", "--save-model", model,
                         "--json", tmp_path / "trained.json")
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert (tmp_path / "classic_point.png").exists() and model.exists()
    reloaded = run_in_process(run_lstm, capsys, *common, "--load-model", model, "--epochs", "0",
                              "--json", tmp_path / "reloaded.json")
    assert reloaded.returncode == 0, reloaded.stderr
    first, again = (json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
                    for name in ("trained", "reloaded"))
    assert again["epochs"] == 0
    assert again["test_rmse"] == pytest.approx(first["test_rmse"], rel=1e-5)
    assert json.loads((tmp_path / "wave.keras.json").read_text(encoding="utf-8")) == {
        "normalise": True, "seq_len": 10, "columns": ["value"]}
    clash = run_in_process(run_lstm, capsys, *common, "--load-model", model, "--epochs", "0",
                           "--no-normalise")
    assert_plain_error(clash, "trained with --normalise", "--no-normalise")


@pytest.mark.filterwarnings("ignore:Skipping variable loading")  # never trained: no optimiser state
def test_a_loaded_model_normalises_as_it_was_trained(run_lstm, load_script, capsys, tmp_path):
    lstm = load_script("lstm")
    csv = classic_file(tmp_path, positive_wave(120))
    model = tmp_path / "wave.keras"
    lstm.build_model(8, 1, units=(4, 4)).save(model)  # a model saved without its settings
    common = ["--csv", csv, "--load-model", model, "--epochs", "0", "--mode", "point",
              "--plot-dir", tmp_path]
    bare = run_in_process(run_lstm, capsys, *common)
    assert bare.returncode == 0, bare.stderr
    assert "wave.keras.json is missing" in bare.stdout and "assuming --normalise" in bare.stdout
    (tmp_path / "wave.keras.json").write_text('{"normalise": false}', encoding="utf-8")
    adopted = run_in_process(run_lstm, capsys, *common)
    assert adopted.returncode == 0, adopted.stderr
    assert "trained with --no-normalise; using that" in adopted.stdout
    assert "values as they are" in adopted.stdout


# %% Bad input, refused before Keras loads (a new Python each, but under a second)
def test_help_lists_the_flags(run_script):
    result = run_script("run_lstm", "--help")
    assert result.returncode == 0 and "--csv" in result.stdout and "--forecast" in result.stdout


@pytest.mark.parametrize("args, words", [
    (["--epochs", "0"], ["--epochs", "--load-model"]),
    (["--train-frac", "1.5"], ["--train-frac"]),
    (["--seq-len", "0"], ["--seq-len"]),
    (["--csv", "no_such_file.csv"], ["no file", "no_such_file.csv"]),
    (["--mode", "sideways"], ["--mode", "see --help"]),
])
def test_bad_settings_fail_fast(run_script, tmp_path, args, words):
    assert_plain_error(run_script("run_lstm", *args, cwd=tmp_path), *words)


def test_empty_file_fails_fast(run_script, tmp_path):
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    assert_plain_error(run_script("run_lstm", "--csv", tmp_path / "empty.csv"), "empty")


# %% Bad input found while reading the data (in this process: Keras is loaded once)
def test_unknown_column(run_lstm, capsys, tmp_path):
    csv = tmp_path / "stock.csv"
    csv.write_text("Date,Close\n2020-01-01,10\n2020-01-02,11\n", encoding="utf-8")
    result = run_in_process(run_lstm, capsys, "--csv", csv, "--columns", "Close,Volume")
    assert_plain_error(result, "no column", "Volume")


def test_non_numeric_column(run_lstm, capsys, tmp_path):
    csv = tmp_path / "stock.csv"
    csv.write_text("Date,Close\n2020-01-01,10\n2020-01-02,n.a.\n", encoding="utf-8")
    assert_plain_error(run_in_process(run_lstm, capsys, "--csv", csv), "not a number")


def test_error_after_keras_loads_is_still_one_line(run_script, tmp_path):
    # A new Python, so the backend's own start-up notes would show on stderr if not hidden.
    csv = tmp_path / "stock.csv"
    csv.write_text("Date,Close\n2020-01-01,10\n2020-01-02,n.a.\n", encoding="utf-8")
    result = run_script("run_lstm", "--csv", csv, "--json", tmp_path / "out.json")
    assert_plain_error(result, "not a number")
    assert not (tmp_path / "out.json").exists()


def test_fewer_rows_than_two_windows(run_lstm, capsys, tmp_path):
    csv = classic_file(tmp_path, positive_wave(15))
    result = run_in_process(run_lstm, capsys, "--csv", csv, "--seq-len", "10")
    assert_plain_error(result, "15 usable rows", "--seq-len")


def test_zero_first_value_with_normalisation(run_lstm, capsys, tmp_path):
    csv = classic_file(tmp_path, np.sin(np.arange(60) / 5.0))  # starts at exactly 0
    result = run_in_process(run_lstm, capsys, "--csv", csv, "--seq-len", "5",
                            "--plot-dir", tmp_path)
    assert_plain_error(result, "line 1", "value = 0", "--no-normalise")


def test_a_zero_volume_is_named_by_its_line_and_date(run_lstm, capsys, tmp_path):
    csv = tmp_path / "stock.csv"
    rows = [f"2020-{1 + day // 28:02d}-{1 + day % 28:02d},{100 + day},{0 if day == 40 else 5}"
            for day in range(60)]
    csv.write_text("Date,Close,Volume\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run_in_process(run_lstm, capsys, "--csv", csv, "--columns", "Close, Volume",
                            "--seq-len", "5", "--plot-dir", tmp_path)
    assert_plain_error(result, "line 42", "(2020-02-13)", "Volume = 0", "out of --columns")


# %% The free run's baseline
def test_free_run_is_scored_beside_staying_flat(run_lstm, capsys):
    truth = np.array([11.0, 12.0, 13.0])  # a test span shorter than the window
    today = np.array([10.0, 11.0, 12.0])
    figures = run_lstm.free_run_scores(truth, today, np.array([11.0, 12.0, 14.0]), seq_len=20)
    assert figures["free_run_rmse"] == pytest.approx(np.sqrt(1 / 3))
    assert figures["free_run_persistence_rmse"] == pytest.approx(np.sqrt((1 + 4 + 9) / 3))
    assert "first 3 steps" in capsys.readouterr().out
