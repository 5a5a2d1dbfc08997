"""Tests for lstm.py: the model, windows and normalisation, the three predictions, the loaders.

    python -m pytest tests/test_lstm.py                 # the solution
    python -m pytest --impl stubs tests/test_lstm.py    # the exercises (fail until done)

The exercises are build_model and, optionally, normalise_windows. Keras tests use tiny models
(a few cells, a few epochs on short series): seconds, not minutes. The tests of the given code
build their own stand-in models, so they pass whatever state the exercises are in.
"""

import numpy as np
import pytest

from conftest import REPO_ROOT, optional_exercise


@pytest.fixture(scope="module")
def lstm(load_script):
    return load_script("lstm")


def write(tmp_path, text, name="prices.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# %% The exercise: build_model
def build(lstm, **settings):
    """build_model, with Keras's complaint about a first layer that hands on too little."""
    try:
        return lstm.build_model(**settings)
    except ValueError as error:  # Keras: "expected ndim=3, found ndim=2" for the second layer
        if "ndim=3" not in str(error):
            raise
    pytest.fail("Keras could not stack the layers: the second LSTM layer got one vector per "
                "window, not a sequence. Give the first LSTM layer return_sequences=True, so "
                "that it hands on its output at every step (step 2).")


def lstm_weights(inputs, units):
    """Four gates, each with input weights, recurrent weights and a bias."""
    return 4 * (units * (inputs + units) + units)


@pytest.mark.exercise("lstm.build_model")
def test_build_model_stacks_two_lstm_layers_and_a_linear_output(lstm):
    import keras

    model = build(lstm, seq_len=6, n_columns=2, units=(4, 3), dropout=0.25)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert model.input_shape == (None, 6, 2), (
        f"the model reads inputs of shape {model.input_shape[1:]}; it should read one window, "
        "(seq_len, n_columns) = (6, 2): keras.Input(shape=(seq_len, n_columns)) (step 1)")
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert len(lstms) == 2, f"the layers are {kinds}: stack two LSTM layers (steps 2 and 4)"
    assert [layer.units for layer in lstms] == [4, 3], (
        f"the LSTM layers have {[layer.units for layer in lstms]} cells; give the first "
        "units[0] = 4 and the second units[1] = 3")
    assert not lstms[1].return_sequences, (
        f"the model gives {model.output_shape[1:]} per window, a value for every step: the "
        "second LSTM layer should hand on only its last output (no return_sequences, step 4)")
    last = model.layers[-1]
    assert isinstance(last, keras.layers.Dense), (
        f"the last layer is {kinds[-1]}; end with a Dense layer of one output (step 6)")
    assert last.units == 1, (
        f"the Dense layer gives {last.units} outputs; the next value is one number: 1 output")
    assert last.activation.__name__ == "linear", (
        f"the Dense layer squashes its output with {last.activation.__name__}; leave out the "
        "activation (linear), since prices and waves can be any number")
    assert kinds == ["LSTM", "Dropout", "LSTM", "Dropout", "Dense"], (
        f"the layers are {kinds}; put a Dropout layer after each LSTM layer (steps 3 and 5)")
    rates = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert rates == [0.25, 0.25], f"the Dropout rates are {rates}; use the argument `dropout`"


@pytest.mark.exercise("lstm.build_model")
@pytest.mark.parametrize("n_columns", [1, 2])
def test_build_model_weight_count_and_output(lstm, n_columns):
    model = build(lstm, seq_len=6, n_columns=n_columns, units=(4, 3))
    assert lstm.model_shape(model) == (6, n_columns)
    assert model.output_shape == (None, 1), (
        f"the model gives {model.output_shape[1:]} per window; it should give one value")
    expected = lstm_weights(n_columns, 4) + lstm_weights(4, 3) + (3 + 1)
    assert model.count_params() == expected, (
        f"{model.count_params()} weights, expected {expected}: two LSTM layers of 4 and 3 "
        "cells and a Dense layer of one output")
    assert model.loss == "mse"  # compiled below the exercise


@pytest.fixture(scope="module")
def wave():
    return (1.5 + np.sin(np.arange(300) / 8.0))[:, None]  # (300, 1), never zero


@pytest.mark.dev  # seconds of graph building; test_run_lstm.py's tiny run checks the same
@pytest.mark.exercise("lstm.build_model")
def test_a_short_fit_lowers_the_loss(lstm, wave):
    import keras

    keras.utils.set_random_seed(1)
    model = build(lstm, seq_len=10, n_columns=1, units=(8, 8))
    x, y = lstm.inputs_and_targets(lstm.make_windows(wave, 10), normalise=False)
    history = lstm.train(model, x[:-40], y[:-40], x[-40:], y[-40:], epochs=3, batch_size=32,
                         verbose=0)
    assert history["loss"][-1] < history["loss"][0]
    untrained = np.mean(y[-40:] ** 2)  # an untrained model says about 0: this is its loss
    assert history["val_loss"][-1] < untrained / 2, "three epochs should halve the loss"


# %% The optional exercise: normalise_windows
@pytest.fixture(scope="module")
def several_windows():
    """4 windows of 4 rows and 2 columns: as many windows as rows, so that dividing by
    windows[:, 0, :] (the window axis dropped) broadcasts without an error, but wrongly."""
    rng = np.random.default_rng(0)
    return rng.uniform(50, 150, size=(4, 4, 2))


@pytest.mark.exercise("lstm.normalise_windows")
def test_normalise_windows_divides_each_window_by_its_own_first_row(lstm, several_windows):
    windows = several_windows.copy()
    with optional_exercise():
        normalised = lstm.normalise_windows(windows)
    expected = np.stack([window / window[0] - 1 for window in several_windows])
    dropped_axis = several_windows / several_windows[:, 0, :] - 1  # (4, 4, 2) / (4, 2)
    np.testing.assert_array_equal(windows, several_windows,
                                  err_msg="normalise_windows changed the windows it was given")
    assert np.shape(normalised) == expected.shape, (
        f"the result has shape {np.shape(normalised)}; it should keep the windows' shape "
        f"{expected.shape}")
    if np.allclose(normalised, dropped_axis):
        pytest.fail("every window was divided by the first rows of all windows: keep the window "
                    "axis when taking the first row, shape (n, 1, columns), not (n, columns)")
    np.testing.assert_allclose(normalised, expected, rtol=1e-12, err_msg=(
        "each window divided by its own first row, minus 1"))
    np.testing.assert_array_equal(normalised[:, 0, :], 0.0)


@pytest.mark.exercise("lstm.normalise_windows")
def test_normalise_windows_by_hand(lstm):
    windows = np.array([[[2.0, 10.0], [4.0, 5.0], [1.0, 20.0]],
                        [[5.0, 1.0], [10.0, 3.0], [2.5, 1.0]]])  # (2, 3, 2)
    expected = [[[0.0, 0.0], [1.0, -0.5], [-0.5, 1.0]], [[0.0, 0.0], [1.0, 2.0], [-0.5, 0.0]]]
    with optional_exercise():
        np.testing.assert_allclose(lstm.normalise_windows(windows), expected)


@pytest.mark.exercise("lstm.normalise_windows")
def test_denormalise_is_the_exact_inverse(lstm):
    windows = np.random.default_rng(0).uniform(50, 150, size=(6, 5, 1))
    with optional_exercise():
        normalised = lstm.normalise_windows(windows)
    back = lstm.denormalise(normalised[:, :, 0], windows[:, 0, 0])
    np.testing.assert_allclose(back, windows[:, :, 0], rtol=1e-12)


def test_a_zero_first_value_is_refused(lstm):
    windows = np.array([[[1.0], [2.0]], [[0.0], [3.0]]])
    with pytest.raises(lstm.InputError, match="--no-normalise"):
        lstm.normalise_windows(windows)  # refused before the exercise's code


# %% Windows
def test_windows_hold_inputs_then_the_next_value(lstm):
    values = np.arange(10.0)[:, None]  # (10, 1)
    windows = lstm.make_windows(values, seq_len=3)
    assert windows.shape == (7, 4, 1)
    np.testing.assert_array_equal(windows[2, :, 0], [2, 3, 4, 5])
    x, y = lstm.inputs_and_targets(windows, normalise=False)
    assert x.shape == (7, 3, 1) and y.shape == (7, 1)
    np.testing.assert_array_equal(y[:, 0], x[:, -1, 0] + 1)


def test_time_split_never_tests_on_a_training_target(lstm):
    values = np.arange(100.0)[:, None]
    train, test = lstm.split_by_time(values, train_frac=0.8, seq_len=5)
    train_targets = lstm.make_windows(train, 5)[:, -1, 0]
    test_targets = lstm.make_windows(test, 5)[:, -1, 0]
    assert train_targets.max() == 79 and test_targets.min() == 80
    np.testing.assert_array_equal(test_targets, np.arange(80, 100))
    assert not set(train_targets) & set(test_targets)


# %% Free-running predictions, with hand-made stand-in models
def window_sum(x):
    """A stand-in model that reads the whole window: the sum of every value in it."""
    return x.sum(axis=(1, 2))[:, None]  # (n, 1)


def test_run_free_feeds_predictions_back(lstm):
    windows = np.array([[[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]],
                        [[5.0, 0.0], [6.0, 2.0], [7.0, 0.0]]])  # (2, 3, 2)
    given = windows.copy()
    predictions = lstm.run_free(window_sum, windows, steps=3, normalise=False)
    # By hand: the first window's sum is 5; the next window holds rows 2 and 3 and the new row
    # (5, 1), a copy of the last row with the prediction in column 0: sum 1+0+2+1+5+1 = 10.
    expected = [[5.0, 10.0, 20.0], [20.0, 35.0, 62.0]]
    np.testing.assert_array_equal(predictions, expected)
    np.testing.assert_array_equal(windows, given)  # left untouched


def test_run_free_normalised_and_with_a_second_column(lstm):
    def stay(x):  # a stand-in model: "the next value is the last one", in its own units
        return x[:, -1, :1]

    windows = np.array([[[100.0, 7.0], [110.0, 8.0], [121.0, 9.0]]])  # (1, 3, 2)
    with optional_exercise():
        predictions = lstm.run_free(stay, windows, steps=3, normalise=True)
    np.testing.assert_allclose(predictions, [[121.0, 121.0, 121.0]])


@pytest.fixture(scope="module")
def tiny_model():
    """A small stacked LSTM made here (not by the exercise), with fixed random weights."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(8, return_sequences=True),
                              keras.layers.LSTM(8), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_batched_multiple_sequences_equal_the_per_window_loop(lstm, tiny_model, wave):
    inputs = lstm.make_windows(wave, 10)[:40, :-1, :]  # (40, 10, 1)
    batched = lstm.predict_sequences_multiple(tiny_model, inputs, 4, normalise=False)
    one_by_one = lstm.predict_sequences_one_by_one(  # one window a call, as the classic loop
        tiny_model, inputs[:8], 4, normalise=False, predict=tiny_model.predict_on_batch)
    assert batched.shape == (10, 4) and one_by_one.shape == (2, 4)
    np.testing.assert_allclose(batched[:2], one_by_one, atol=1e-5)


def test_batched_point_by_point_equals_the_per_window_loop(lstm, tiny_model, wave):
    inputs = lstm.make_windows(wave, 10)[:5, :-1, :]  # (5, 10, 1)
    batched = lstm.predict_point_by_point(tiny_model, inputs, normalise=False)
    loop = [tiny_model.predict_on_batch(window[None])[0, 0] for window in inputs]
    np.testing.assert_allclose(batched, loop, atol=1e-5)


def test_full_sequence_runs_as_long_as_the_test_span(lstm, tiny_model, wave):
    inputs = lstm.make_windows(wave, 10)[:15, :-1, :]
    full = lstm.predict_sequence_full(tiny_model, inputs, normalise=False)
    assert full.shape == (15,) and np.all(np.isfinite(full))


def test_forecast_length_and_next_trading_dates(lstm, tiny_model, wave):
    import pandas as pd

    dates = pd.bdate_range("2024-01-01", periods=len(wave))  # ends on a Friday
    series = lstm.Series(wave, dates, ["Close"])
    values, ahead = lstm.forecast(tiny_model, series, 3, normalise=False)
    assert values.shape == (3,)
    assert ahead[0] > dates[-1] and ahead[0].weekday() == 0  # Friday -> Monday
    _, no_dates = lstm.forecast(tiny_model, lstm.Series(wave, None, ["value"]), 2, False)
    assert no_dates is None


# %% Saving and loading
@pytest.mark.filterwarnings("ignore:Skipping variable loading")  # never trained: no optimiser state
def test_save_and_load_give_the_same_predictions(lstm, tiny_model, wave, tmp_path):
    inputs = lstm.make_windows(wave, 10)[:8, :-1, :]
    trained_on = {"normalise": False, "seq_len": 10, "columns": ["Close"]}
    (tmp_path / ".tiny.tmp.keras").write_bytes(b"left by a killed write")
    path = lstm.save_model(tiny_model, tmp_path / "tiny.keras", trained_on)
    loaded = lstm.load_model(path)
    np.testing.assert_allclose(lstm.predict_point_by_point(loaded, inputs, False),
                               lstm.predict_point_by_point(tiny_model, inputs, False), atol=1e-6)
    assert sorted(tmp_path.iterdir()) == [path]  # one file; no temporary file left behind
    assert lstm.read_trained_on(path) == trained_on


def test_saved_settings_missing_or_damaged(lstm, tiny_model, tmp_path):
    import zipfile

    bare = tmp_path / "bare.keras"
    tiny_model.save(bare)  # by Keras alone: nothing says how it was trained
    assert lstm.read_trained_on(bare) is None
    with zipfile.ZipFile(bare, "a") as archive:
        archive.writestr(lstm.TRAINED_ON, "{not json")
    with pytest.raises(lstm.InputError, match="damaged"):
        lstm.read_trained_on(bare)


# %% Loaders
def test_headerless_file_is_one_value_a_line(lstm, tmp_path):
    series = lstm.load_series(write(tmp_path, "1.5\n2.5\n3.5\n"))
    assert series.values.shape == (3, 1)
    np.testing.assert_array_equal(series.values[:, 0], [1.5, 2.5, 3.5])
    assert series.dates is None


def test_header_file_takes_close_and_sorts_by_date(lstm, tmp_path):
    text = ("Date,Open,Close,Volume\n2020-01-03,1,12,300\n2020-01-01,1,10,100\n"
            "2020-01-02,1,11,200\n")
    series = lstm.load_series(write(tmp_path, text))
    assert series.columns == ["Close"]
    np.testing.assert_array_equal(series.values[:, 0], [10, 11, 12])
    assert [f"{day:%d}" for day in series.dates] == ["01", "02", "03"]


def test_adj_close_then_the_only_numeric_column(lstm, tmp_path):
    adjusted = lstm.load_series(write(tmp_path, "Date,Adj Close\n2020-01-01,5\n2020-01-02,6\n"))
    assert adjusted.columns == ["Adj Close"]
    only = lstm.load_series(write(tmp_path, "Day,Price\nmon,5\ntue,6\n", "only.csv"))
    assert only.columns == ["Price"]


def test_several_columns_predicted_one_first(lstm, tmp_path):
    text = "Date,Close,Volume\n2020-01-01,10,100\n2020-01-02,11,200\n"
    series = lstm.load_series(write(tmp_path, text), ["Volume", "Close"])
    assert series.columns == ["Volume", "Close"]
    np.testing.assert_array_equal(series.values, [[100, 10], [200, 11]])


def test_rows_with_missing_values_are_dropped_and_counted(lstm, tmp_path, capsys):
    text = "Date,Close\n2020-01-01,10\n2020-01-02,null\n2020-01-03,\n2020-01-06,13\n"
    series = lstm.load_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [10, 13])
    assert "Dropped 2 rows" in capsys.readouterr().out


@pytest.mark.parametrize("text, columns, words", [
    ("Date,Close\n2020-01-01,10\n2020-01-02,11\n", ["Price"], ["no column", "Price"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,ten\n", None, ["Close", "not a number", "Line 3"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,-inf\n", None, ["-inf", "not a finite number"]),
    ("Date,Close\n2020-01-01,10\n", None, ["1 usable rows"]),
    ("", None, ["empty"]),
    ("Date,Open,Volume\n2020-01-01,1,2\n2020-01-02,1,2\n", None, ["--columns"]),
])
def test_bad_files_are_one_plain_sentence(lstm, tmp_path, text, columns, words):
    with pytest.raises(lstm.InputError) as error:
        lstm.load_series(write(tmp_path, text), columns)
    for word in words:
        assert word in str(error.value)


def test_missing_and_non_utf8_files(lstm, tmp_path):
    with pytest.raises(lstm.InputError, match="no file"):
        lstm.load_series(tmp_path / "nowhere.csv")
    path = tmp_path / "latin.csv"
    path.write_bytes("Date,Close\n2020-01-01,10\xe9\n".encode("latin-1"))
    with pytest.raises(lstm.InputError, match="UTF-8"):
        lstm.load_series(path)


def test_day_first_dates_keep_every_row_in_order(lstm, tmp_path, capsys):
    # 02/01/2018 read month first would be 1 February, and 13/01/2018 no date at all.
    text = "Date,Close\n02/01/2018,10\n03/01/2018,11\n13/01/2018,12\n01/02/2018,13\n"
    series = lstm.load_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [10, 11, 12, 13])
    assert [f"{day:%Y-%m-%d}" for day in series.dates] == [
        "2018-01-02", "2018-01-03", "2018-01-13", "2018-02-01"]
    assert "Dropped" not in capsys.readouterr().out


def test_month_first_and_iso_dates_still_read_month_first(lstm, tmp_path):
    text = "Date,Close\n12/29/2017,10\n01/02/2018,11\n"
    series = lstm.load_series(write(tmp_path, text))
    assert [f"{day:%Y-%m-%d}" for day in series.dates] == ["2017-12-29", "2018-01-02"]


def test_unreadable_dates_are_refused_but_empty_ones_are_missing(lstm, tmp_path, capsys):
    text = "Date,Close\n2020-01-01,10\n,11\n2020-01-03,12\n2020-01-06,13\n"
    series = lstm.load_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [10, 12, 13])
    assert "Dropped 1 rows" in capsys.readouterr().out
    bad = "Date,Close\n2020-01-01,10\nsoon,11\n2020-01-03,12\n"
    with pytest.raises(lstm.InputError) as error:
        lstm.load_series(write(tmp_path, bad, "bad.csv"))
    for word in ("'Date'", "'soon'", "line 3", "YYYY-MM-DD"):
        assert word in str(error.value)


def test_mixed_date_formats_are_named_as_such(lstm, tmp_path):
    text = "Date,Close\n01/02/2020,10\n2020-01-03,11\n2020-01-06,12\n"
    with pytest.raises(lstm.InputError) as error:
        lstm.load_series(write(tmp_path, text))
    for word in ("mixes date formats", "'01/02/2020'", "'2020-01-03'", "YYYY-MM-DD"):
        assert word in str(error.value)


def test_the_first_column_is_the_date_when_it_reads_as_dates(lstm, tmp_path):
    text = "Day,Open,Close\n2020-01-03,1,12\n2020-01-02,1,11\n2020-01-01,1,10\n"
    series = lstm.load_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [10, 11, 12])
    assert f"{series.dates[0]:%Y-%m-%d}" == "2020-01-01"
    np.testing.assert_array_equal(series.lines, [4, 3, 2])  # each row's line in the file


def test_repeated_dates_keep_the_last_row(lstm, tmp_path, capsys):
    text = ("Date,Close\n2020-01-01,10\n2020-01-02,11\n2020-01-02,99\n2020-01-01,98\n"
            "2020-01-03,12\n")
    series = lstm.load_series(write(tmp_path, text))
    np.testing.assert_array_equal(series.values[:, 0], [98, 99, 12])
    assert "Dropped 2 rows" in capsys.readouterr().out


def test_several_stocks_in_one_file(lstm, tmp_path, capsys):
    text = ("Symbol,Date,Close\nAAA,2020-01-01,10\nBBB,2020-01-01,50\nAAA,2020-01-02,11\n"
            "BBB,2020-01-02,51\n")
    path = write(tmp_path, text)
    with pytest.raises(lstm.InputError) as error:
        lstm.load_series(path)
    for word in ("2 stocks", "'Symbol'", "AAA, BBB", "--symbol AAA"):
        assert word in str(error.value)
    series = lstm.load_series(path, symbol="bbb")  # any case
    np.testing.assert_array_equal(series.values[:, 0], [50, 51])
    assert "Using the 2 rows" in capsys.readouterr().out


def test_without_dates_the_file_order_stays(lstm, tmp_path):
    series = lstm.load_series(write(tmp_path, "Price\n3\n1\n2\n"))
    assert series.dates is None
    np.testing.assert_array_equal(series.values[:, 0], [3, 1, 2])


@pytest.mark.parametrize("header", ["date,close,volume", "Date,Adj Close,Volume",
                                    "DATE,ADJ CLOSE,VOLUME"])
def test_the_default_column_is_found_in_any_case(lstm, tmp_path, header):
    text = f"{header}\n2020-01-01,10,100\n2020-01-02,11,200\n"
    series = lstm.load_series(write(tmp_path, text))
    assert series.columns[0].lower() in ("close", "adj close")
    np.testing.assert_array_equal(series.values[:, 0], [10, 11])


@pytest.mark.parametrize("text", [
    "Date;Open;Close\n2020-01-01;1,5;2575,21\n2020-01-02;1,5;2564,98\n",
    "Date\tOpen\tClose\n2020-01-01\t1.5\t2575.21\n2020-01-02\t1.5\t2564.98\n",
    'Date,Open,Close\n2020-01-01,1.5,"2,575.21"\n2020-01-02,1.5,"2,564.98"\n',
])
def test_semicolons_tabs_and_thousands_separators(lstm, tmp_path, text):
    series = lstm.load_series(write(tmp_path, text))
    np.testing.assert_allclose(series.values[:, 0], [2575.21, 2564.98])
    assert len(series.dates) == 2


@pytest.mark.parametrize("text, words", [
    ("2575,21\n2564,98\n", ["no header row", "2 fields", "2575.21"]),
    ("2020-01-01,2575.2\n2020-01-02,2564.9\n", ["first line", "header row"]),
    ("Date,Close\n2020-01-01,10\n2020-01-02,11,12\n", ["not an even table"]),
    ("1,2,3,4,5,6", ["6 numbers on one line", "one number a line"]),
])
def test_files_that_would_be_misread_are_refused(lstm, tmp_path, text, words):
    with pytest.raises(lstm.InputError) as error:
        lstm.load_series(write(tmp_path, text))
    assert "\n" not in str(error.value)
    for word in words:
        assert word in str(error.value)


def test_a_zero_is_named_by_line_date_and_column(lstm, tmp_path):
    text = "Date,Close,Volume\n2020-01-02,11,0\n2020-01-01,10,100\n2020-01-03,12,300\n"
    path = write(tmp_path, text)
    with pytest.raises(lstm.InputError) as error:
        lstm.check_no_zeros(lstm.load_series(path, ["Close", "Volume"]), path)
    for word in ("Line 2", "(2020-01-02)", "Volume = 0", "leave 'Volume' out of --columns"):
        assert word in str(error.value)
    with pytest.raises(lstm.InputError, match="Line 2 .* --no-normalise"):
        lstm.check_no_zeros(lstm.load_series(path, ["Volume"]), path)
    lstm.check_no_zeros(lstm.load_series(path), path)  # Close alone has no zero


def test_the_command_line_strips_column_names(lstm, tmp_path, capsys):
    path = write(tmp_path, "Date,Close,Volume\n2020-01-01,10,100\n2020-01-02,11,200\n")
    assert lstm.main([str(path), "--columns", "Close, Volume"]) == 0
    assert "['Close', 'Volume']" in capsys.readouterr().out


def test_the_command_line_without_a_file_describes_the_sp500(lstm, capsys):
    assert lstm.main([]) == 0
    out = capsys.readouterr().out
    assert "sp500.csv: 5,031 rows, 1999-01-04 .. 2018-12-31" in out


def test_the_shipped_sp500_file(lstm):
    series = lstm.load_series(REPO_ROOT / "data" / "sp500.csv")
    assert series.values.shape == (5031, 1) and series.columns == ["Close"]
    assert f"{series.dates[0]:%Y-%m-%d}" == "1999-01-04"
    assert f"{series.dates[-1]:%Y-%m-%d}" == "2018-12-31"
