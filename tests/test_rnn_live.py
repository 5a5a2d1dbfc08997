"""Tests of rnn.py's --live view: it redraws as training goes, and changes no number of the run.

    python -m pytest tests/test_rnn_live.py

They run under matplotlib's Agg backend (no window, no display), as on a server: --live then
says so in one sentence and draws off-screen.
"""

import json
import sys
import types

import numpy as np
import pytest

from conftest import run_in_process, snapshot

TINY = ["--epochs", 8, "--seq-len", 5, "--hidden", 4, "--lr", 0.01, "--seed", 0,
        "--batch-size", 48]  # a run of well under a second on a short series


@pytest.fixture(scope="module")
def rnn(load_script):
    return load_script("rnn")


def run_main(rnn, capsys, *args):
    """rnn.main(args): its exit status and stdout."""
    result = run_in_process(rnn, capsys, *args)
    return result.returncode, result.stdout


def sine_csv(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text("value\n" + "".join(f"{float(np.sin(i / 5.0))!r}\n" for i in range(150)))
    return path


@pytest.fixture(autouse=True)
def no_saved_figures(rnn, monkeypatch):
    """The four PNGs take most of a short run's time, and are not what these tests check."""
    monkeypatch.setattr(rnn, "plot_results", lambda *args: {})


@pytest.fixture
def redraws(rnn, monkeypatch):
    """The epochs at which the live view redrew, and the figures it drew on."""
    seen = {"epochs": [], "figures": []}
    real_live_figure, real_view = rnn.plumbing.live_figure, rnn.live_view

    def live_figure(figure):
        seen["figures"].append(figure)
        return real_live_figure(figure)

    def live_view(*args, **options):
        on_epoch = real_view(*args, **options)

        def counted(epoch, params):
            before = {name: value.copy() for name, value in params.items()}
            on_epoch(epoch, params)
            assert all(np.array_equal(params[name], before[name]) for name in params)
            seen["epochs"].append(epoch)

        return counted

    monkeypatch.setattr(rnn.plumbing, "live_figure", live_figure)
    monkeypatch.setattr(rnn, "live_view", live_view)
    return seen


def test_live_redraws_every_few_epochs_off_screen_under_agg(rnn, capsys, tmp_path, redraws,
                                                            monkeypatch):
    drawn = []
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    def draw(canvas):
        drawn.append(canvas.figure)
        return original(canvas)

    original = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", draw)
    code, out = run_main(rnn, capsys, "--csv", sine_csv(tmp_path), *TINY, "--live",
                         "--plot-dir", tmp_path / "figs")
    assert code == 0
    notes = [line for line in out.splitlines() if line.startswith("--live")]
    assert len(notes) == 1 and "cannot open a window" in notes[0] and notes[0].endswith(".")
    assert redraws["epochs"] == list(range(9))  # called before training and after each epoch
    live = redraws["figures"]
    assert len(live) == 1  # one figure, redrawn in place
    assert drawn.count(live[0]) == len(range(0, 9, rnn.LIVE_EVERY))  # every LIVE_EVERY epochs


def test_live_changes_no_number_of_the_run(rnn, capsys, tmp_path, redraws):
    runs = {}
    for live in ([], ["--live"]):
        folder = tmp_path / ("live" if live else "plain")
        code, out = run_main(rnn, capsys, "--csv", sine_csv(tmp_path), *TINY, *live,
                             "--plot-dir", folder / "figs", "--json", folder / "r.json")
        assert code == 0
        numbers = json.loads((folder / "r.json").read_text())
        timed = ("training took", "done in", "--live", "saved")
        runs[bool(live)] = ({key: value for key, value in numbers.items()
                             if "seconds" not in key},
                            [line for line in out.splitlines() if not line.startswith(timed)],
                            snapshot(folder / "figs")["series_rnn_predictions.csv"])
    assert redraws["epochs"], "the live run never called its view"
    assert runs[True] == runs[False]


def test_in_a_notebook_live_updates_one_output_in_place(rnn, capsys, tmp_path, monkeypatch):
    import matplotlib.pyplot as plt

    shown, updates = [], []

    class Handle:
        def update(self, figure):
            updates.append(figure)

    def display(figure, display_id=False):
        shown.append(figure)
        return Handle()

    # A stand-in for IPython's display, which a notebook has and requirements.txt does not
    fake = types.ModuleType("IPython.display")
    fake.display = display
    monkeypatch.setitem(sys.modules, "IPython", types.ModuleType("IPython"))
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    monkeypatch.setattr(rnn.plumbing, "in_notebook", lambda: True)
    monkeypatch.setattr(rnn, "CSV", sine_csv(tmp_path))  # a notebook's Settings cell
    monkeypatch.setattr(rnn, "LIVE", True)
    for name, value in zip(TINY[::2], TINY[1::2], strict=True):
        monkeypatch.setattr(rnn, {"--seq-len": "SEQ_LEN", "--lr": "LEARNING_RATE",
                                  "--batch-size": "BATCH_SIZE"}.get(name, name[2:].upper()), value)
    monkeypatch.setattr(plt, "show", lambda *args, **options: None)  # no windows under Agg
    code, out = run_main(rnn, capsys, "--plot-dir", tmp_path / "figs")
    assert code == 0
    assert len(shown) == 1 and len(updates) == len(range(0, 9, rnn.LIVE_EVERY))
    assert all(figure is shown[0] for figure in updates)
    assert "--live" not in out  # a notebook shows it: no sentence about windows
