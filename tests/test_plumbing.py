"""Tests of plumbing.py, the module every script shares: the output guard, the writes that are
whole or nothing, the setting checks and the main wrapper."""

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hidden_packages import hiding

import plumbing  # conftest puts the folder under test first on the import path
from conftest import REPO_ROOT, assert_plain_error
from plumbing import InputError


# %% The guard
def refused(path, flag="--json", **options):
    """The sentence check_output gives for `path`, or None when it lets it through."""
    try:
        plumbing.check_output(path, flag, **options)
    except InputError as error:
        return str(error)
    return None


@pytest.mark.parametrize("name", ["mlp.py", "README.md", "requirements.txt", "data/sp500.csv",
                                  "data/new.json", "stubs/mlp.py", "tests/x.json",
                                  "slides/slides.md"])
def test_a_file_of_the_repo_is_never_an_output(name):
    message = refused(REPO_ROOT / name)
    assert message and "workshop's own files" in message and "--json" in message


def test_figures_and_results_at_the_top_are_outputs_a_run_may_write(tmp_path):
    assert refused(REPO_ROOT / "figures" / "x.json") is None
    assert refused(REPO_ROOT / "results.json") is None
    assert refused(tmp_path / "new" / "deeper" / "x.json") is None


def test_an_input_is_never_an_output_by_any_path(tmp_path, monkeypatch):
    data = tmp_path / "s.csv"
    data.write_text("1\n2\n")
    monkeypatch.chdir(tmp_path)
    for spelling in (data, Path("s.csv"), Path("./sub/../s.csv")):
        (tmp_path / "sub").mkdir(exist_ok=True)
        message = refused(spelling, inputs={"--csv": data})
        assert message == (f"--json {spelling} is the same file as --csv, which this run would "
                           "overwrite; give --json another path.")


def test_a_link_to_an_input_or_the_repo_is_refused_any_other_link_is_replaced(tmp_path):
    data, mine = tmp_path / "s.csv", tmp_path / "mine.txt"
    data.write_text("1\n"), mine.write_text("keep me\n")
    (tmp_path / "to_data").symlink_to(data)
    (tmp_path / "to_script").symlink_to(REPO_ROOT / "mlp.py")
    (tmp_path / "to_mine").symlink_to(mine)
    assert "same file as --csv" in refused(tmp_path / "to_data", inputs={"--csv": data})
    assert "workshop's own files" in refused(tmp_path / "to_script")
    assert refused(tmp_path / "to_mine") is None
    plumbing.write_json(tmp_path / "to_mine", {"a": 1})
    assert not (tmp_path / "to_mine").is_symlink()  # the link itself was replaced
    assert mine.read_text() == "keep me\n"  # never written through


def test_folders_and_files_in_the_wrong_place_are_one_sentence(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    assert refused(tmp_path / "folder") == (f"--json {tmp_path / 'folder'} is a folder; give a "
                                            "file name there instead.")
    assert "is a file, not a folder" in refused(tmp_path / "file" / "x.json")
    assert "is a file; give a folder" in refused(tmp_path / "file", "--plot-dir", folder=True)


def test_two_outputs_may_not_be_one_file_except_the_documented_updates(tmp_path):
    checkpoint = tmp_path / "ck.npz"
    with pytest.raises(InputError, match="--book .* is the same file as --json"):
        plumbing.check_outputs({"--json": tmp_path / "a", "--book": tmp_path / "a"}, {})
    checkpoint.write_bytes(b"PK")
    plumbing.check_outputs({"--checkpoint": checkpoint}, {"--resume": checkpoint},
                           may_update={("--checkpoint", "--resume")})
    with pytest.raises(InputError, match="same file as --resume"):
        plumbing.check_outputs({"--book": checkpoint}, {"--resume": checkpoint},
                               may_update={("--checkpoint", "--resume")})


# %% Writes: whole or nothing
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "results.json"
    path.write_text("old\n")

    def broken(temporary):
        temporary.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match=r"Could not write .*results.json \(No space left"):
        plumbing.write_atomically(path, broken, "--json")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.json"]


def test_ctrl_c_during_a_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "model.keras"
    path.write_text("old")

    def interrupted(temporary):
        temporary.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        plumbing.write_atomically(path, interrupted)
    assert path.read_text() == "old" and len(list(tmp_path.iterdir())) == 1


def test_the_temporary_file_keeps_the_ending_that_keras_and_numpy_go_by(tmp_path):
    seen = []
    plumbing.write_atomically(tmp_path / "m.keras", lambda t: (seen.append(t), t.write_text("")))
    assert seen[0].name.endswith(".tmp.keras") and seen[0].parent == tmp_path


def test_two_writers_of_one_file_at_once_leave_one_whole_file(tmp_path):
    path, barrier = tmp_path / "shared.json", threading.Barrier(2)

    def slow_write(text):
        def write(temporary):
            temporary.write_text(text[: len(text) // 2])
            barrier.wait()  # both halfway through, each in its own temporary file
            with open(temporary, "a") as file:
                file.write(text[len(text) // 2:])
        plumbing.write_atomically(path, write)

    texts = ["a" * 100_000, "b" * 100_000]
    threads = [threading.Thread(target=slow_write, args=(text,)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert path.read_text() in texts
    assert [p.name for p in tmp_path.iterdir()] == ["shared.json"]


# %% Settings
def test_setting_checks_say_the_flag_and_the_range():
    with pytest.raises(InputError, match=r"^--hidden must be at least 1; got 0\.$"):
        plumbing.check_count("--hidden", 0)
    with pytest.raises(InputError, match=r"^--lr must be a positive number, such as 0.5"):
        plumbing.check_positive("--lr", float("nan"), 0.5)
    with pytest.raises(InputError, match=r"from 0 to 4294967295; got -1\.$"):
        plumbing.check_seed("--seed", -1)
    with pytest.raises(InputError, match=r"between 0 and 1, such as 0.9; got 1\.0\.$"):
        plumbing.check_fraction("--train-frac", 1.0, 0.9)
    plumbing.check_memory(10**6, "--hidden")
    with pytest.raises(InputError, match=r"about 7.5 GiB .* the 2 GiB .* for --hidden\.$"):
        plumbing.check_memory(10**9, "--hidden")


def test_require_names_the_missing_package_and_the_install_command():
    with pytest.raises(InputError, match=r"needs no_such_package_here, .*`python -m pip install "
                                         r"-r requirements.txt`\.$"):
        plumbing.require("numpy", "no_such_package_here")


@pytest.mark.parametrize("script, args, hidden", [
    ("mlp", ["--plot"], "matplotlib"),
    ("rnn", [], "matplotlib"),
    ("rnn", [], "pandas"),
    ("run_lstm", ["sine"], "pandas"),
])
def test_a_missing_package_stops_a_run_in_one_sentence_before_any_work(run_script, tmp_path,
                                                                       script, args, hidden):
    result = run_script(script, *args, "--plot-dir", tmp_path / "figs",
                        env=hiding(tmp_path, hidden), timeout=120)
    assert_plain_error(result, f"needs {hidden}", "pip install -r requirements.txt")
    assert result.stdout == ""  # not a line of training before it
    assert not (tmp_path / "figs").exists()


@pytest.mark.parametrize("asked, hidden, words", [
    ("nosuch", (), ["KERAS_BACKEND=nosuch names no Keras backend", "tensorflow, jax, torch"]),
    ("tensorflow", ("tensorflow",), ["KERAS_BACKEND=tensorflow asks for tensorflow, which is "
                                     "not installed"]),  # the light install
])
def test_a_keras_backend_that_is_unknown_or_missing_is_one_sentence(run_script, tmp_path, asked,
                                                                    hidden, words):
    env = {"KERAS_BACKEND": asked, **hiding(tmp_path, *hidden)}
    result = run_script("run_lstm", "sine", "--plot-dir", tmp_path / "figs", env=env,
                        timeout=120)
    assert_plain_error(result, *words)
    assert result.stdout == "" and not (tmp_path / "figs").exists()


# %% The main wrapper
def test_run_main_turns_each_ending_into_its_exit_status(capsys):
    def bad():
        raise InputError("The file is empty; give another.")

    def stopped():
        raise KeyboardInterrupt

    assert plumbing.run_main(lambda: print("fine")) == 0
    assert plumbing.run_main(bad) == 2
    assert capsys.readouterr().err == "The file is empty; give another.\n"
    assert plumbing.run_main(stopped, interrupted="the checkpoint was kept") == 130
    assert capsys.readouterr().err == "\nStopped by Ctrl-C; the checkpoint was kept.\n"


def test_a_console_that_cannot_show_a_character_still_prints(monkeypatch):
    raw = io.BytesIO()
    console = io.TextIOWrapper(raw, encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", console)
    assert plumbing.run_main(lambda: print("a \u2192 b, \u65e5")) == 0
    console.flush()
    assert raw.getvalue().decode("cp1252").startswith("a ? b, ?")


def test_a_closed_pipe_ends_quietly():
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import plumbing\n"
            "def work():\n    for i in range(100000): print('line', i)\n"
            "sys.exit(plumbing.run_main(work))\n")
    reader = subprocess.Popen([sys.executable, "-c", code, str(REPO_ROOT)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.read(10)
    reader.stdout.close()  # the reader goes away, as `| head` does
    reader.wait(timeout=60)
    assert reader.returncode == 1
    assert reader.stderr.read() == b""


def test_importing_plumbing_loads_neither_pandas_nor_matplotlib():
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import plumbing; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'keras') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, str(REPO_ROOT)], capture_output=True,
                            text=True, timeout=60, env={**os.environ, "PYTHONPATH": ""})
    assert result.stdout.strip() == "[]", result.stderr


# %% The live view's window: kept open at the end only for a person at a terminal
class Terminal:
    """A stand-in for standard input: a terminal (isatty) or not, such as a pipe or pytest's."""

    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


def figure_in(framework):
    """A figure whose canvas says it draws in a window of `framework` (None: files only)."""
    from matplotlib.figure import Figure

    figure = Figure()
    figure.canvas.required_interactive_framework = framework  # this canvas alone
    return figure


def test_a_run_waits_only_for_a_window_and_a_terminal(monkeypatch):
    window, agg = figure_in("tk"), figure_in(None)
    assert plumbing.can_wait(window, Terminal(True))
    assert not plumbing.can_wait(agg, Terminal(True))  # Agg: the tests, CI, a server
    assert not plumbing.can_wait(window, Terminal(False))  # a pipe, a test runner
    assert not plumbing.can_wait(window, io.StringIO())  # a stand-in stdin
    monkeypatch.setattr(sys, "stdin", None)  # pythonw, a service
    assert not plumbing.can_wait(window)
    monkeypatch.setattr(plumbing, "in_notebook", lambda: True)
    assert not plumbing.can_wait(window, Terminal(True))  # the notebook keeps its last frame


def test_keep_live_view_returns_at_once_under_agg_or_without_a_terminal(capsys):
    import matplotlib.pyplot as plt

    figure = plt.figure()
    plumbing.live_figure(figure)  # under Agg: drawn off-screen, and says so
    capsys.readouterr()
    try:
        assert plumbing.keep_live_view(Terminal(True)) is False
        assert plumbing.keep_live_view() is False  # pytest's stdin is no terminal
    finally:
        plt.close(figure)
    assert capsys.readouterr().out == ""  # no line about waiting


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
def test_keep_live_view_ends_when_enter_is_pressed_or_the_window_is_closed(monkeypatch, capsys):
    import matplotlib.pyplot as plt

    monkeypatch.setattr(plumbing, "in_window", lambda figure: True)  # a window, as on a desktop
    keyboard, terminal = os.openpty()
    with os.fdopen(terminal) as stdin:
        figure = plt.figure()
        figure.set_label(plumbing.LIVE_LABEL)
        os.write(keyboard, b"\n")  # Enter, pressed in the terminal
        assert plumbing.keep_live_view(stdin) is True
        assert capsys.readouterr().out.strip().endswith("close its window, or press Enter "
                                                        "here, to end.")
        assert not plt.fignum_exists(figure.number)  # the run may end now
        figure = plt.figure()
        figure.set_label(plumbing.LIVE_LABEL)
        closes = []

        def window_closed(timeout):  # the window's event loop, while its person closes it
            closes.append(timeout)
            plt.close(figure)

        monkeypatch.setattr(figure.canvas, "start_event_loop", window_closed)
        assert plumbing.keep_live_view(stdin) is True  # no Enter this time
        assert closes == [0.1]
    os.close(keyboard)
