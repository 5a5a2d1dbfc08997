"""Tests for the exercise machinery: stubs/make_stubs.py, `--impl stubs` and its board.

A tiny repo with one solution script (a toy mlp.py), one exercise region and one test is built
in a temporary folder; its stub must fail its test with the TODO's words, and pass once
completed, and the board at the end of the run must say so. make_stubs.py must never overwrite
a stub that holds an attendee's work: it keeps it, names it, and replaces it only when asked
with --reset, after a backup; every command it suggests must be safe to follow.
"""

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO_ROOT, load_tool, run_in_process

TOY_SCRIPT = textwrap.dedent('''\
    """A toy script with one exercise."""

    import plumbing


    def double(x):
        """Twice x."""
        # TODO: Double the input
        #   1. multiply x by two
        ### BEGIN SOLUTION
        result = 2 * x
        ### END SOLUTION
        return result


    if __name__ == "__main__":
        print(double(21), plumbing.__name__)
    ''')
TOY_RUNNER = textwrap.dedent('''\
    """A toy runner without exercises: it imports the toy mlp.py and the shared module."""

    import sys

    import mlp
    import plumbing

    if __name__ == "__main__":
        print(mlp.double(21), plumbing.__name__, sys.argv[1:])
    ''')

TOY_TEST = textwrap.dedent('''\
    import pytest


    @pytest.mark.exercise("mlp.double")
    def test_double(load_script):
        assert load_script("mlp").double(21) == 42
    ''')


@pytest.fixture(scope="module")
def make_stubs():
    return load_tool("stubs/make_stubs.py")


@pytest.fixture
def toy_repo(tmp_path):
    """A copy of the machinery around one toy mlp.py: conftest.py, plumbing.py, data/, stubs/,
    tests/."""
    for folder in ("data", "stubs", "tests"):
        (tmp_path / folder).mkdir()
    shutil.copy(REPO_ROOT / "stubs/make_stubs.py", tmp_path / "stubs")
    shutil.copy(REPO_ROOT / "conftest.py", tmp_path)
    shutil.copy(REPO_ROOT / "plumbing.py", tmp_path)  # conftest's report header imports it
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)  # the markers
    (tmp_path / "tests/test_mlp.py").write_text(TOY_TEST)
    (tmp_path / "mlp.py").write_text(TOY_SCRIPT)
    return tmp_path


def run(repo, *args):
    return subprocess.run([sys.executable, *map(str, args)], cwd=repo, capture_output=True,
                          text=True, timeout=120)


def test_region_becomes_not_implemented_at_its_indentation(make_stubs):
    stub = make_stubs.make_stub(TOY_SCRIPT, "mlp.py")
    assert "\n    raise NotImplementedError('TODO: Double the input')\n" in stub
    assert "result = 2 * x" not in stub and "BEGIN SOLUTION" not in stub
    assert "#   1. multiply x by two" in stub  # the pseudo-code stays
    compile(stub, "mlp.py", "exec")


def test_a_stub_imports_the_shared_modules_from_the_repo_from_any_folder(toy_repo, tmp_path):
    assert run(toy_repo, "stubs/make_stubs.py", "mlp.py").returncode == 0
    assert not (toy_repo / "stubs/plumbing.py").exists()  # no copy: the repo's is imported
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    untouched = run(elsewhere, toy_repo / "stubs/mlp.py")
    assert "NotImplementedError: TODO: Double the input" in untouched.stderr, untouched.stderr
    done_stub(toy_repo)
    assert run(elsewhere, toy_repo / "stubs/mlp.py").stdout.split() == ["42", "plumbing"]


def test_a_script_without_regions_gets_a_launcher_that_runs_it_with_the_stubs(toy_repo):
    (toy_repo / "run_lstm.py").write_text(TOY_RUNNER)
    assert run(toy_repo, "stubs/make_stubs.py").returncode == 0
    launcher = toy_repo / "stubs/run_lstm.py"
    assert len(launcher.read_text().splitlines()) <= 20
    untouched = run(toy_repo / "data", launcher, "--flag")  # from another folder
    assert "NotImplementedError: TODO: Double the input" in untouched.stderr, untouched.stderr
    done_stub(toy_repo)
    finished = run(toy_repo / "data", launcher, "--flag")
    assert finished.stdout.strip() == "42 plumbing ['--flag']", finished.stdout + finished.stderr


def test_the_fingerprint_is_the_digest_of_the_file_without_its_line(make_stubs):
    text = make_stubs.make_stub(TOY_SCRIPT, "mlp.py")
    written = make_stubs.with_fingerprint(text)
    recorded, rest = make_stubs.read_fingerprint(written)
    assert rest == text and recorded == make_stubs.digest(text)
    assert written.splitlines()[2] == f"# make_stubs: sha256 {recorded}"  # after the header
    assert written.splitlines()[3] == '"""A toy script with one exercise."""'


@pytest.mark.parametrize("source, where", [
    ("# TODO: a\n### BEGIN SOLUTION\nx = 1\n### BEGIN SOLUTION\n", "line 4"),
    ("# TODO: a\n### BEGIN SOLUTION\nx = 1\n", "line 2"),
    ("# TODO: a\n### BEGIN SOLUTION\n\n### END SOLUTION\n", "line 2"),
    ("x = 1\n### END SOLUTION\n", "line 2"),
    ("x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION\n", "line 2"),
])
def test_broken_regions_are_errors_with_the_line_number(make_stubs, source, where):
    with pytest.raises(make_stubs.StubError, match=where):
        make_stubs.make_stub(source, "bad.py")


def board_row(output, function):
    """The status column of `function`'s row in the Exercises table at the end of a run."""
    table = output.split("Exercises", 1)[1]
    row = next(line for line in table.splitlines() if f" {function} " in line)
    return re.split(r"\s{2,}", row.strip())[-1]  # columns stand two spaces apart or more


def test_stub_fails_its_test_until_completed(toy_repo):
    assert run(toy_repo, "stubs/make_stubs.py", "mlp.py").returncode == 0
    assert run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "tests").returncode == 0

    untouched = run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs",
                    "tests")
    assert untouched.returncode == 1
    assert "NotImplementedError: TODO: Double the input" in untouched.stdout
    assert board_row(untouched.stdout, "double") == "to do"

    stub_path = toy_repo / "stubs/mlp.py"
    completed = stub_path.read_text().replace(
        "raise NotImplementedError('TODO: Double the input')", "result = x + x")
    stub_path.write_text(completed)
    finished = run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs", "tests")
    assert finished.returncode == 0, finished.stdout
    assert board_row(finished.stdout, "double") == "done"
    assert finished.stdout.rstrip().endswith("done")  # the board is the last thing printed


def test_board_says_not_run_for_tests_left_out(toy_repo):
    assert run(toy_repo, "stubs/make_stubs.py", "mlp.py").returncode == 0
    other = run(toy_repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs", "tests",
                "-k", "nothing_matches")
    assert board_row(other.stdout, "double") == "not run"


def test_optional_regions_say_so_in_their_stub(make_stubs):
    source = TOY_SCRIPT.replace("# TODO: Double", "# TODO (optional): Double")
    stub = make_stubs.make_stub(source, "mlp.py")
    assert "raise NotImplementedError('TODO (optional): Double the input')" in stub


def test_check_reports_stale_stubs(toy_repo):
    assert run(toy_repo, "stubs/make_stubs.py", "mlp.py").returncode == 0
    assert run(toy_repo, "stubs/make_stubs.py", "--check", "mlp.py").returncode == 0
    (toy_repo / "mlp.py").write_text(TOY_SCRIPT.replace("Twice x.", "Two times x."))
    stale = run(toy_repo, "stubs/make_stubs.py", "--check", "mlp.py")
    assert stale.returncode == 1
    assert "stubs/mlp.py" in stale.stdout


# %% An attendee's work is never lost
@pytest.fixture
def make(toy_repo, make_stubs, monkeypatch, capsys):
    """make_stubs.main run in-process on the toy repo, as `python stubs/make_stubs.py ARGS`
    from its folder would (in milliseconds); returns its exit status and output."""
    monkeypatch.setattr(make_stubs, "REPO_ROOT", toy_repo)
    monkeypatch.setattr(make_stubs, "STUBS_DIR", toy_repo / "stubs")
    monkeypatch.chdir(toy_repo)

    def main(*args):
        capsys.readouterr()
        return run_in_process(make_stubs, capsys, *args)

    return main

def done_stub(repo, code="result = x + x"):
    """Write the toy exercise in stubs/mlp.py as an attendee would; returns the stub's bytes."""
    stub_path = repo / "stubs/mlp.py"
    stub_path.write_text(stub_path.read_text().replace(
        "raise NotImplementedError('TODO: Double the input')", code))
    return stub_path.read_bytes()


def change_solution(repo):
    (repo / "mlp.py").write_text(TOY_SCRIPT.replace("Twice x.", "Two times x."))


def backups(repo):
    return sorted((repo / "stubs").glob("mlp.py.bak-*"))


def suggested_commands(output):
    """The commands that make_stubs's output tells the reader to run, as argument lists."""
    return [command.split()[1:] for command in re.findall(r"`(python [^`]+)`", output)]


def test_an_untouched_stub_follows_its_solution(toy_repo, make):
    assert make().returncode == 0
    change_solution(toy_repo)
    result = make()
    assert result.returncode == 0 and "wrote stubs/mlp.py" in result.stdout
    assert "Two times x." in (toy_repo / "stubs/mlp.py").read_text() and not backups(toy_repo)


@pytest.mark.parametrize("edit", ["exercise", "settings", "crlf exercise"])
def test_a_stub_with_work_is_kept_byte_for_byte_and_named(toy_repo, make, edit):
    assert make().returncode == 0
    stub_path = toy_repo / "stubs/mlp.py"
    if edit == "settings":  # any line but the exercise's: here the docstring
        stub_path.write_text(stub_path.read_text().replace("Twice x.", "Twice x, say."))
    else:
        done_stub(toy_repo)
    if edit.startswith("crlf"):  # an editor on Windows: the line endings alone are not work
        stub_path.write_bytes(stub_path.read_bytes().replace(b"\n", b"\r\n"))
    work = stub_path.read_bytes()
    change_solution(toy_repo)
    for args in (["stubs/make_stubs.py"], ["stubs/make_stubs.py", "mlp.py"]):
        result = run(toy_repo, *args)
        assert result.returncode == 0, result.stderr
        assert "kept stubs/mlp.py: it holds your work" in result.stdout
        assert "--reset mlp.py" in result.stdout and "changed since" in result.stdout
        assert stub_path.read_bytes() == work and not backups(toy_repo)


def test_line_endings_alone_are_not_work(toy_repo, make):
    assert make().returncode == 0
    stub_path = toy_repo / "stubs/mlp.py"
    stub_path.write_bytes(stub_path.read_bytes().replace(b"\n", b"\r\n"))  # git on Windows
    change_solution(toy_repo)
    assert "wrote stubs/mlp.py" in make().stdout
    assert "Two times x." in stub_path.read_text()


@pytest.mark.parametrize("name", ["mlp.py", "stubs/mlp.py"])
def test_reset_backs_up_first_and_never_overwrites_a_backup(toy_repo, make, name):
    assert make().returncode == 0
    fresh = (toy_repo / "stubs/mlp.py").read_bytes()
    first = done_stub(toy_repo)
    assert make("--reset", name).returncode == 0
    assert (toy_repo / "stubs/mlp.py").read_bytes() == fresh
    second = done_stub(toy_repo, "result = 2 * x  # second try")
    result = make("--reset", name)  # most likely the same second
    assert result.returncode == 0 and "copied stubs/mlp.py to stubs/mlp.py.bak-" in result.stdout
    assert sorted(path.read_bytes() for path in backups(toy_repo)) == sorted([first, second])
    assert (toy_repo / "stubs/mlp.py").read_bytes() == fresh


def test_check_names_work_without_failing_and_fails_for_a_stale_untouched_stub(toy_repo, make):
    assert make().returncode == 0
    work = done_stub(toy_repo)
    kept = make("--check")
    assert kept.returncode == 0 and "has your work, kept: stubs/mlp.py" in kept.stdout
    change_solution(toy_repo)
    assert make("--check").returncode == 0  # still yours
    (toy_repo / "stubs/mlp.py").unlink()
    assert make().returncode == 0
    (toy_repo / "mlp.py").write_text(TOY_SCRIPT)  # the solution moves on; the stub is untouched
    stale = make("--check")
    assert stale.returncode == 1 and "out of date: stubs/mlp.py" in stale.stdout
    assert work not in [path.read_bytes() for path in (toy_repo / "stubs").iterdir()]


def old_copy(repo, make_stubs, name="plumbing.py"):
    """stubs/<name> as an earlier make_stubs wrote it: a fingerprinted copy of the module."""
    header = f"# Generated by stubs/make_stubs.py: a copy of {name} one folder up; edit that one.\n"
    copy = repo / "stubs" / name
    copy.write_text(make_stubs.with_fingerprint(header + (repo / name).read_text()))
    return copy


def test_every_command_make_stubs_suggests_is_safe_to_follow(toy_repo, make, make_stubs):
    assert make().returncode == 0
    work = done_stub(toy_repo)
    change_solution(toy_repo)  # the stub with work is stale, and so is an old untouched copy:
    old_copy(toy_repo, make_stubs)
    followed = 0
    for args in (["--check"], []):
        output = make(*args).stdout
        for command in suggested_commands(output):
            assert command[0] == "stubs/make_stubs.py"
            assert make(*command[1:]).returncode == 0
            followed += 1
            saved = [path.read_bytes() for path in backups(toy_repo)]
            assert work in saved or (toy_repo / "stubs/mlp.py").read_bytes() == work, command
    assert followed >= 2


def test_a_stub_made_before_fingerprints_is_kept_only_with_work(toy_repo, make, make_stubs):
    legacy = make_stubs.make_stub(TOY_SCRIPT, "mlp.py")  # what an older make_stubs wrote
    stub_path = toy_repo / "stubs/mlp.py"
    stub_path.write_text(legacy)
    change_solution(toy_repo)
    assert "wrote stubs/mlp.py" in make().stdout
    stub_path.write_text(legacy.replace(
        "raise NotImplementedError('TODO: Double the input')", "result = x + x"))
    work = stub_path.read_bytes()
    assert "kept stubs/mlp.py" in make().stdout
    assert stub_path.read_bytes() == work


def test_old_copies_of_shared_modules_go_unless_edited(toy_repo, make, make_stubs):
    copy = old_copy(toy_repo, make_stubs)
    assert "out of date: stubs/plumbing.py (no longer made)" in make("--check").stdout
    assert "removed stubs/plumbing.py" in make("mlp.py").stdout and not copy.exists()
    assert make("--check").returncode == 0
    old_copy(toy_repo, make_stubs).write_text(copy.read_text() + "DEBUG = True\n")
    edited = copy.read_bytes()
    result = make()
    assert "kept stubs/plumbing.py" in result.stdout and copy.read_bytes() == edited
    assert make("--check").returncode == 0  # yours: named, never a failure
    assert make("--reset", "plumbing.py").returncode == 0 and not copy.exists()
    assert [path.read_bytes() for path in (toy_repo / "stubs").glob("plumbing.py.bak-*")] == [
        edited]


def test_reset_refuses_anything_but_a_stub(toy_repo, make):
    assert make().returncode == 0
    for name in ("notes.py", "conftest.py", "../mlp.py", "data/mlp.py"):
        result = make("--reset", name)
        assert result.returncode == 2 and "names none of the stubs" in result.stderr
        assert "nothing was written" in result.stderr and "Traceback" not in result.stderr
    both = make("--check", "--reset", "mlp.py")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    assert not backups(toy_repo)


# %% The repo's own stubs
def test_repo_stubs_are_up_to_date():
    """Every stub that nobody has edited is what make_stubs writes from today's solutions.

    A stub that holds work (its text no longer matches the fingerprint make_stubs wrote in its
    header: an exercise done, a Settings value changed, a notebook paired with it) is only
    named by --check, never a failure. So this test passes in an attendee's repo, whatever
    they did to stubs/, and still fails when a developer changes a solution but forgets to
    regenerate its stub. A stub edited by hand in the repo itself slips through here; the
    developer test below, which wants every stub exactly as make_stubs writes it, catches it.
    """
    result = run(REPO_ROOT, "stubs/make_stubs.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.dev
def test_repo_stubs_are_exactly_what_make_stubs_writes(make_stubs):
    """The developer step: no stub of the repo holds an edit of its own (a hand edit of a stub
    is lost for good the day its solution changes and it is reset)."""
    names = [name for name in make_stubs.EVENING if (REPO_ROOT / name).is_file()]
    differ = [path.relative_to(REPO_ROOT).as_posix()
              for path, text in make_stubs.expected_files(names).items()
              if (path.exists() if text is None else
                  not path.is_file() or path.read_bytes() != text.encode("utf-8"))]
    assert not differ, (
        f"{', '.join(differ)} differ from what make_stubs writes. Run `python "
        "stubs/make_stubs.py`; a stub it keeps holds an edit made by hand: make that edit in "
        "the solution one folder up instead, then `python stubs/make_stubs.py --reset "
        f"{' '.join(Path(name).name for name in differ)}` (it backs the old ones up first).")
