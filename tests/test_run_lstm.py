"""Tests for run_lstm.py, the runner: tiny runs, reloading a saved model, bad input refused.

    python -m pytest tests/test_run_lstm.py                 # the solution
    python -m pytest --impl stubs tests/test_run_lstm.py    # with your exercise version
    python -m pytest -m dev tests/test_run_lstm.py          # also the full-size runs (minutes)

Loading Keras takes seconds, so every run calls main() in this process (Keras loads once);
one test starts a new Python to show that bad settings are refused before Keras loads.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import assert_plain_error, assert_usage_error, optional_exercise, run_in_process

JSON_KEYS = {"dataset", "cell", "test_rmse", "test_mae", "test_mse", "persistence_rmse",
             "rmse_ratio", "direction_accuracy", "rising_share", "fit_seconds", "seconds", "epochs",
             "free_run_rmse", "free_run_persistence_rmse", "multiple_rmse",
             "multiple_persistence_rmse", "loss", "val_loss", "test_points", "dm_pvalue",
             "naive_verdict", "direction_se", "drift_rmse", "multiple_drift_rmse"}
MODE_KEYS = {"full": {"free_run_rmse", "free_run_persistence_rmse", "drift_rmse"},  # those modes
             "multiple": {"multiple_rmse", "multiple_persistence_rmse", "multiple_drift_rmse"}}

pytestmark = pytest.mark.usefixtures("a_file_preset")  # they read files


@pytest.fixture(scope="module")
def run_lstm(load_script):
    return load_script("run_lstm")


def classic_file(tmp_path, values, name="classic.csv"):
    """A headerless file of one number a line, like the classic sinwave.csv."""
    path = tmp_path / name
    path.write_text("".join(f"{value:.6f}\n" for value in values), encoding="utf-8")
    return path


def positive_wave(points=240):
    return 2.0 + np.sin(np.arange(points) / 6.0)


def read_json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def check_build_model_first(lstm):
    """A wrong build_model fails with test_lstm.py's hint, not deep inside Keras."""
    from test_lstm import build  # here, so that this file loads where pandas is missing

    model = build(lstm, seq_len=10, n_columns=1, units=(4, 4))
    assert model.output_shape == (None, 1), (
        f"build_model's model gives {model.output_shape[1:]} per window, not one value: fix "
        "build_model first (python -m pytest --impl stubs tests/test_lstm.py says how)")


# %% Tiny runs
@pytest.mark.exercise("lstm.build_model")
def test_own_csv_then_reload_the_saved_model(run_lstm, load_script, capsys, tmp_path):
    check_build_model_first(load_script("lstm"))
    csv = classic_file(tmp_path, np.sin(np.arange(240) / 6.0))  # crosses zero: not normalised
    model = tmp_path / "wave.keras"
    common = ["--csv", csv, "--seq-len", "10", "--prediction-len", "5", "--no-normalise",
              "--plot-dir", tmp_path, "--forecast", "3"]
    trained = run_in_process(run_lstm, capsys, *common, "--epochs", "3", "--batch-size", "32",
                             "--save-model", model, "--json", tmp_path / "trained.json")
    assert trained.returncode == 0, trained.stderr
    mode = run_lstm.MODE  # the Settings cell's, like CELL
    modes = ["point", "full", "multiple"] if mode == "all" else ["point", mode]
    for words in ("naive: tomorrow = today", " / naive RMSE", "Rising steps",
                  *(["flat at the last known value"] if mode != "point" else [])):
        assert words in trained.stdout, f"the run printed no {words!r}"
    figures = read_json(tmp_path / "trained.json")
    left_out = set().union(*(keys for kind, keys in MODE_KEYS.items() if kind not in modes))
    assert set(figures) == JSON_KEYS - left_out and figures["dataset"] == "classic"
    assert figures["cell"] == run_lstm.CELL
    assert figures["epochs"] == 3 and 0 <= figures["rising_share"] <= 1
    untrained = np.mean(np.sin(np.arange(216) / 6.0)[-20:] ** 2)  # saying 0: the last 20 rows
    assert figures["val_loss"][-1] < untrained / 2, (
        f"three epochs should halve the loss: {figures['val_loss']}, untrained about "
        f"{untrained:.3f}")
    for suffix in (*modes, "loss", "forecast"):
        assert (tmp_path / f"classic_{suffix}.png").stat().st_size > 0
    assert (tmp_path / "classic_predictions.csv").stat().st_size > 0
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind
    reloaded = run_in_process(run_lstm, capsys, *common[:-2], "--load-model", model, "--epochs",
                              "0", "--mode", "point", "--json", tmp_path / "reloaded.json")
    assert reloaded.returncode == 0, reloaded.stderr
    again = read_json(tmp_path / "reloaded.json")
    assert again["epochs"] == 0
    assert again["test_rmse"] == pytest.approx(figures["test_rmse"], rel=1e-5)
    clash = run_in_process(run_lstm, capsys, *common[:-2], "--load-model", model, "--epochs",
                           "0", "--normalise")
    assert_plain_error(clash, "trained with --no-normalise", "--normalise")


def test_the_settings_cell_is_the_command_line(run_lstm, monkeypatch):
    """In a notebook main([]) runs: the Settings cell's values, read at call time, decide."""
    monkeypatch.setattr(run_lstm, "DATASET", "sp500")  # as shipped (an attendee may change it)
    settings = run_lstm.settings_from(run_lstm.parse_args([]))
    epochs = run_lstm.EPOCHS or run_lstm.PRESETS["sp500"]["epochs"]  # None: the preset's
    assert (settings["name"], settings["epochs"], settings["normalise"]) == ("sp500", epochs, True)
    monkeypatch.setattr(run_lstm, "DATASET", "sine")
    monkeypatch.setattr(run_lstm, "EPOCHS", 2)
    settings = run_lstm.settings_from(run_lstm.parse_args([]))
    assert settings["name"] == "sine" and settings["epochs"] == 2
    assert not settings["normalise"] and settings["seq_len"] == 50
    assert settings["csv"].endswith("sinwave.csv") and run_lstm.Path(settings["csv"]).is_file()


def test_sp500_table_beside_the_naive_forecast_and_the_rising_share(run_lstm, load_script,
                                                                    capsys):
    """The results table on the real test span, with a stand-in for the model's predictions."""
    import series_csv

    lstm = load_script("lstm")
    settings = run_lstm.settings_from(run_lstm.parse_args(["sp500", "--mode", "point"]))
    series = series_csv.read_series(settings["csv"])
    windows = lstm.make_windows(lstm.split_by_time(series.values, 0.9, 20)[1], 20)
    truth, today = windows[:, -1, 0], windows[:, -2, 0]  # (504,) each
    figures = run_lstm.report(truth, today, {"point": (truth + today) / 2}, settings)
    out = capsys.readouterr().out
    assert "(504 predictions)" in out and "naive: tomorrow = today" in out
    assert "Rising steps: 54.6%" in out and " / naive RMSE: 0.500" in out  # after CELL's name
    assert figures["rising_share"] == pytest.approx(0.546, abs=0.001)
    assert 10 < figures["persistence_rmse"] < 40  # daily moves of the index in 2017-2018


@pytest.mark.dev  # trains on 4,000 windows; the test above checks the table cheaply
@pytest.mark.exercise("lstm.normalise_windows")  # the S&P 500 preset normalises its windows
def test_sp500_preset_tiny_run(run_lstm, capsys, tmp_path):
    with optional_exercise():
        result = run_in_process(run_lstm, capsys, "--epochs", "1", "--batch-size", "512",
                                "--mode", "point", "--plot-dir", tmp_path,
                                "--json", tmp_path / "sp500.json")
    assert result.returncode == 0, result.stderr
    figures = read_json(tmp_path / "sp500.json")
    assert figures["dataset"] == "sp500" and figures["epochs"] == 1
    assert 10 < figures["persistence_rmse"] < 40  # daily moves of the index in 2017-2018
    assert figures["rising_share"] == pytest.approx(0.546, abs=0.001)
    assert "Rising steps: 54.6%" in result.stdout


@pytest.mark.filterwarnings("ignore:Skipping variable loading")  # never trained: no optimiser state
def test_a_loaded_model_adopts_what_it_was_trained_on(run_lstm, load_script, capsys, tmp_path):
    import keras

    lstm = load_script("lstm")
    csv = classic_file(tmp_path, positive_wave(120))
    model = keras.Sequential([keras.Input((8, 1)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    bare = tmp_path / "bare.keras"
    model.save(bare)  # by Keras alone: nothing says how it was trained
    common = ["sp500", "--csv", csv, "--epochs", "0", "--mode", "point", "--plot-dir", tmp_path]
    result = run_in_process(run_lstm, capsys, *common, "--load-model", bare, "--no-normalise")
    assert result.returncode == 0, result.stderr
    assert "holds no record" in result.stdout and "assuming --no-normalise" in result.stdout
    assert "trained with --seq-len 8; using that" in result.stdout
    saved = lstm.save_model(model, tmp_path / "saved.keras",
                            {"normalise": False, "seq_len": 8, "columns": ["value"]})
    result = run_in_process(run_lstm, capsys, *common, "--load-model", saved)
    assert result.returncode == 0, result.stderr
    assert "trained with --no-normalise; using that" in result.stdout
    assert "values as they are" in result.stdout


# %% Bad input
def test_bad_settings_are_refused_before_keras_loads(impl_dir, tmp_path):
    """A new Python: each bad setting is one sentence, and Keras is never imported."""
    cases = [["--epochs", "0"], ["--train-frac", "1.5"], ["--seq-len", "0"],
             ["--seed", "-1"], ["sp500", "--csv", "no_such_file.csv"], ["--json", str(tmp_path)],
             ["sp500", "--save-model", "model.h5"]]
    code = ("import sys, run_lstm\n"
            f"codes = [run_lstm.main(args) for args in {cases!r}]\n"
            "print(codes, 'keras' in sys.modules)\n")
    env = {**os.environ, "PYTHONPATH": str(impl_dir)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120)
    assert result.stdout.strip() == f"{[2] * len(cases)} False", result.stdout + result.stderr
    messages = result.stderr.strip().splitlines()
    assert len(messages) == len(cases) and "Traceback" not in result.stderr
    for message, words in zip(messages, [["--epochs", "--load-model"], ["--train-frac"],
                                         ["--seq-len"], ["--seed", "4294967295"],
                                         ["no file", "no_such_file.csv"], ["--json", "folder"],
                                         ["--save-model", ".keras"]], strict=True):
        assert all(word in message for word in words), (words, message)


def test_bad_flags_keep_argparse_format(run_lstm, capsys):
    for args, word in ((["--mode", "sideways"], "--mode"), (["--epochs", "x"], "--epochs")):
        assert_usage_error(run_in_process(run_lstm, capsys, *args), word)


@pytest.mark.parametrize("text, args, words", [
    ("Date,Close\n2020-01-01,10\n2020-01-02,11\n", ["--columns", "Close,Volume"],
     ["no column", "Volume"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,n.a.\n", [], ["not a number"]),
    ("", [], ["empty"]),
])
def test_bad_files_are_one_plain_sentence(run_lstm, capsys, tmp_path, text, args, words):
    csv = tmp_path / "stock.csv"
    csv.write_text(text, encoding="utf-8")
    result = run_in_process(run_lstm, capsys, "--csv", csv, *args, "--json", tmp_path / "o.json")
    assert_plain_error(result, *words)
    assert not (tmp_path / "o.json").exists()


def test_fewer_rows_than_two_windows(run_lstm, capsys, tmp_path):
    csv = classic_file(tmp_path, positive_wave(15))
    result = run_in_process(run_lstm, capsys, "--csv", csv, "--seq-len", "10")
    assert_plain_error(result, "15 usable rows", "--seq-len")


def test_zero_first_value_with_normalisation(run_lstm, capsys, tmp_path):
    csv = classic_file(tmp_path, np.sin(np.arange(60) / 5.0))  # starts at exactly 0
    result = run_in_process(run_lstm, capsys, "sp500", "--csv", csv, "--seq-len", "5",
                            "--plot-dir", tmp_path)
    assert_plain_error(result, "line 1", "value = 0", "--no-normalise")


def test_a_zero_volume_is_named_by_its_line_and_date(run_lstm, capsys, tmp_path):
    csv = tmp_path / "stock.csv"
    rows = [f"2020-{1 + day // 28:02d}-{1 + day % 28:02d},{100 + day},{0 if day == 40 else 5}"
            for day in range(60)]
    csv.write_text("Date,Close,Volume\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run_in_process(run_lstm, capsys, "sp500", "--csv", csv, "--columns", "Close, Volume",
                            "--seq-len", "5", "--plot-dir", tmp_path)
    assert_plain_error(result, "line 42", "(2020-02-13)", "Volume = 0", "out of --columns")


# %% Scores beside their baselines
def test_free_run_is_scored_beside_staying_flat(run_lstm, capsys):
    truth = np.array([11.0, 12.0, 13.0])  # a test span shorter than the window
    today = np.array([10.0, 11.0, 12.0])
    figures = run_lstm.free_run_scores(truth, today, np.array([11.0, 12.0, 14.0]), seq_len=20)
    assert figures["free_run_rmse"] == pytest.approx(np.sqrt(1 / 3))
    assert figures["free_run_persistence_rmse"] == pytest.approx(np.sqrt((1 + 4 + 9) / 3))
    assert "first 3 steps" in capsys.readouterr().out


def test_restarted_runs_are_scored_beside_the_value_at_each_restart(run_lstm, capsys):
    truth = np.array([11.0, 12.0, 13.0, 14.0, 15.0])
    today = truth - 1  # the last value each window saw
    multiple = np.array([[11.0, 12.0], [13.0, 15.0]])  # two runs of two steps
    figures = run_lstm.restart_scores(truth, today, multiple)
    assert figures["multiple_rmse"] == pytest.approx(np.sqrt(1 / 4))
    assert figures["multiple_persistence_rmse"] == pytest.approx(np.sqrt((1 + 4 + 1 + 4) / 4))
    assert "LSTM / flat: 0.316" in capsys.readouterr().out


def test_an_exact_baseline_gives_no_ratio(run_lstm):
    assert run_lstm.ratio(1.0, 0.0) is None and run_lstm.ratio(1.0, 2.0) == 0.5


# %% The evening's full-size runs and their targets (minutes: python -m pytest -m dev)
@pytest.mark.dev
@pytest.mark.exercise("lstm.build_model")
def test_sine_default_run_meets_its_target(run_lstm, capsys, tmp_path):
    result = run_in_process(run_lstm, capsys, "sine", "--plot-dir", tmp_path,
                            "--json", tmp_path / "sine.json")
    assert result.returncode == 0, result.stderr
    assert read_json(tmp_path / "sine.json")["test_mse"] <= 5e-5


@pytest.mark.dev
@pytest.mark.exercise("lstm.normalise_windows")
def test_sp500_default_run_stays_near_the_naive_forecast(run_lstm, capsys, tmp_path):
    with optional_exercise():
        result = run_in_process(run_lstm, capsys, "--plot-dir", tmp_path,
                                "--json", tmp_path / "sp500.json")
    assert result.returncode == 0, result.stderr
    assert read_json(tmp_path / "sp500.json")["rmse_ratio"] <= 1.03
