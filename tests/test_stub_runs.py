"""What `python -m pytest --impl stubs` shows an attendee, replayed on scratch copies of the repo.

- On untouched stubs, each part's test file prints one short screen: at most 80 lines, ending
  with the board.
- With one deliberate mistake per part (a flipped sign, a missing division, a missing bias, a
  forgotten mask, return_sequences on the wrong layer, ...), the hint that names the mistake is
  on one screen.
- No output, untouched or wrong, quotes a line of a solution region, except the lines that the
  stub itself shows (its TODO's pseudo-code) and the attendee's own line ("your code: ...").
- Every value that a Settings comment lists (each gate, cell, mode, dataset, True/False, a
  smaller epoch count, another seed and split) passes the finished stubs' tests, and the board
  says done.

A slow developer test (about four minutes on 2 busy cores):

    python -m pytest -m dev tests/test_stub_runs.py
"""

import ast
import re
import shutil

import pytest
from test_attendee import END, NOT_COPIED, board, do_exercises, run

from conftest import BEGIN, REPO_ROOT, REPO_TESTS

pytestmark = pytest.mark.dev

PART_TESTS = ("test_mlp.py", "test_rnn.py", "test_min_char_rnn.py", "test_lstm.py",
              "test_run_lstm.py")
SCREEN = 45  # lines: what a laptop's terminal shows without scrolling
MISTAKES = {  # name: (stub, a line of its solution, the line with the mistake, test file, hint)
    "mlp: flipped sign": ("mlp.py", "dZy = (yp - y) / rows", "dZy = (y - yp) / rows",
                          "test_mlp.py", "the sign is flipped"),
    "mlp: no division": ("mlp.py", "dZy = (yp - y) / rows", "dZy = (yp - y)", "test_mlp.py",
                         "no division by the number of rows"),
    "rnn: rnn_step without bias": ("rnn.py", ' + params["bh"])', ")", "test_rnn.py",
                                   "h, the new state"),
    "rnn: no term from the next step": ("rnn.py", "dh = dy @ params[\"Why\"].T + dh_next",
                                        "dh = dy @ params[\"Why\"].T", "test_rnn.py",
                                        "the error from the next time step is missing"),
    "rnn: the mask forgotten": ("rnn.py", "return np.where(fed_back, dx[:, 0], 0.0)",
                                "return dx[:, 0]", "test_rnn.py", "there it must be 0.0"),
    "char-rnn: no minus one": ("min_char_rnn.py", "dlogits[np.arange(len(X)), targets] -= 1",
                               "pass", "test_min_char_rnn.py", "needs 1 taken off"),
    "char-rnn: no temperature": ("min_char_rnn.py", ") / temperature", ")",
                                 "test_min_char_rnn.py", "the temperature is not used"),
    "lstm: return_sequences on the wrong layer": (
        "lstm.py", "(units[0], return_sequences=True)", "(units[0])", "test_lstm.py",
        "return_sequences=True"),
    "run_lstm: return_sequences on both layers": (
        "lstm.py", "(units[1])", "(units[1], return_sequences=True)", "test_run_lstm.py",
        "fix build_model first"),
}
SWEEP_TESTS = {  # stub: the test files that read its settings
    "mlp.py": ["tests/test_mlp.py"], "rnn.py": ["tests/test_rnn.py", "tests/test_rnn_live.py"],
    "min_char_rnn.py": ["tests/test_min_char_rnn.py"],
    # Part 4: the runner's tiny runs build the model through build_model with the settings;
    # test_lstm.py passes every argument itself
    **dict.fromkeys(["lstm.py", "run_lstm.py"],
                    ["tests/test_run_lstm.py", "tests/test_run_lstm_extras.py",
                     "tests/test_run_lstm_verdicts.py"])}
SMALLER = {"EPOCHS", "ITERATIONS"}  # counts of training passes: a smaller one is swept
NUMBERS = {"SEED": "1", "TRAIN_FRACTION": "0.8", "TRAIN_FRAC": "0.8"}  # the numbers people
# change first, whose comments list no value: another seed, another split
SETTING = re.compile(r"^([A-Z][A-Z0-9_]*) = ([^#]+?)\s*(?:#\s*(.*))?$")


# %% Scratch copies of the repo
@pytest.fixture(scope="module")
def untouched_repo(tmp_path_factory):
    """A copy of the repo with the stubs as make_stubs writes them."""
    repo = tmp_path_factory.mktemp("untouched") / "repo"
    shutil.copytree(REPO_ROOT, repo, ignore=NOT_COPIED)
    for stub in exercise_stubs(repo):
        (repo / "stubs" / stub).unlink()
    made = run(repo, "stubs/make_stubs.py")
    assert made.returncode == 0, made.stdout + made.stderr
    return repo


@pytest.fixture(scope="module")
def finished_repo(untouched_repo, tmp_path_factory):
    """A copy with every exercise written as in the solutions, the optional ones too."""
    repo = tmp_path_factory.mktemp("finished") / "repo"
    shutil.copytree(untouched_repo, repo)
    for stub in exercise_stubs(repo):
        path = repo / "stubs" / stub
        path.write_text(do_exercises(path.read_text(encoding="utf-8"),
                                     (repo / stub).read_text(encoding="utf-8")), encoding="utf-8")
    return repo


def exercise_stubs(repo):
    """The file names of the scripts that hold exercises (solution regions)."""
    return [path.name for path in sorted(repo.glob("*.py"))
            if BEGIN in path.read_text(encoding="utf-8") and (repo / "stubs" / path.name).exists()]


def stubs_run(repo, *tests):
    """`python -m pytest --impl stubs` on some test files, as an attendee types it."""
    return run(repo, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "stubs", *tests,
               timeout=600)


# %% No solution in the output
def solution_lines(repo):
    """Each line of code of every solution region (comments dropped, 12 characters or more),
    except those that the stub shows itself (the pseudo-code of its TODO)."""
    lines = set()
    for stub in exercise_stubs(repo):
        shown = (repo / "stubs" / stub).read_text(encoding="utf-8")
        inside = False
        for line in (repo / stub).read_text(encoding="utf-8").splitlines():
            inside = (inside or line.strip() == BEGIN) and line.strip() != END
            code = line.split("  #")[0].strip()
            if inside and len(code) >= 12 and not code.startswith("#") and code not in shown:
                lines.add(code)
    return lines


def quoted_solution(output, lines):
    """The solution lines that the output quotes, outside the attendee's own lines."""
    shown, own = [], False
    for line in output.splitlines():  # "  your code: ..." and its folded lines, indented more
        own = line.startswith("  your code:") or (own and line.startswith("    "))
        if not own:
            shown.append(line)
    return sorted(line for line in lines if line in "\n".join(shown))


def test_untouched_stubs_give_one_short_screen_per_part(untouched_repo):
    lines = solution_lines(untouched_repo)
    for test in PART_TESTS:
        result = stubs_run(untouched_repo, f"tests/{test}")
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert len(output.splitlines()) <= 80, f"{test}: {len(output.splitlines())} lines\n{output}"
        assert re.search(r"= Exercises =+\n(.*\n)+Part 4 .*\n?$", output), output
        assert "Traceback" not in output and "NotImplementedError: TODO" in output, output
        assert not quoted_solution(output, lines), (test, quoted_solution(output, lines))


def with_mistake(text, right, wrong):
    """The stub with `right` made `wrong` on its first line of code that holds it."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if right in line and not line.lstrip().startswith("#"):
            lines[index] = line.replace(right, wrong, 1)
            return "".join(lines)
    raise AssertionError(f"no line of code holds {right!r}: update MISTAKES")


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_one_mistake_shows_its_hint_on_one_screen(finished_repo, mistake):
    stub, right, wrong, test, hint = MISTAKES[mistake]
    path = finished_repo / "stubs" / stub
    finished = path.read_text(encoding="utf-8")
    path.write_text(with_mistake(finished, right, wrong), encoding="utf-8")
    try:
        result = stubs_run(finished_repo, f"tests/{test}")
    finally:
        path.write_text(finished, encoding="utf-8")
    output = result.stdout + result.stderr
    assert result.returncode == 1 and hint in " ".join(output.split()), output  # folded lines
    assert len(output.splitlines()) <= SCREEN, f"{len(output.splitlines())} lines\n{output}"
    assert "Traceback" not in output, output
    assert not quoted_solution(output, solution_lines(finished_repo)), output


# %% Every setting can be tried
def settings_of(text):
    """[(name, its line, the values to try)] of a stub's Settings cell: the quoted values its
    comment lists (before any "such as", which names the attendee's own file), the other
    boolean, a value offered in brackets ("(0.2 if it overfits)"), a smaller epoch count,
    another seed and another train/test split."""
    cell = text.split("# %% Settings", 1)[1].split("\n# %%", 1)[0]
    found = []
    for line in cell.splitlines():
        match = SETTING.match(line)
        if not match:
            continue
        name, value, comment = match[1], match[2], (match[3] or "").split("such as")[0]
        try:
            current = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            continue  # a dict or a call over several lines: not one value to set
        tries = []
        if current is None or isinstance(current, str):
            tries = [f'"{word}"' for word in re.findall(r'"([^"]+)"', comment) if word != current]
        if isinstance(current, bool):
            tries = [repr(not current)]
        elif isinstance(current, int | float) or current is None:
            tries += re.findall(r"\((\d+(?:\.\d+)?) if ", comment)
        if name in NUMBERS:
            tries.append(NUMBERS[name])
        if name in SMALLER:
            tries.append(str(max(1, current // 10)) if isinstance(current, int) else "5")
        found += [(name, line, value) for value in tries]
    return found


def rounds(settings):
    """The values to try, a few at a time: round k sets each name to its k-th value. Every
    value is tried once, and a stub's tests run once a round (Keras alone takes seconds)."""
    by_name = {}
    for name, line, value in settings:
        by_name.setdefault((name, line), []).append(value)
    count = max((len(values) for values in by_name.values()), default=0)
    return [{(name, line): values[k] for (name, line), values in by_name.items()
             if k < len(values)} for k in range(count)]


def settings_file(repo, stub):
    """The file whose Settings cell the attendee edits for `stub`: the stub, or the repo's
    script when the stub only launches it (run_lstm.py); None when neither has one."""
    for path in (repo / "stubs" / stub, repo / stub):
        if path.exists() and "# %% Settings" in path.read_text(encoding="utf-8"):
            return path
    return None


def sweep(repo, stub):
    """Set the values of each round; returns [(the values, the end of the run's output)] of the
    rounds whose tests failed or whose board shows an exercise not done."""
    path = settings_file(repo, stub)
    finished, problems = path.read_text(encoding="utf-8"), []
    for values in rounds(settings_of(finished)):
        changed = finished
        for (name, line), value in values.items():
            changed = changed.replace(line, line.replace(line.split("#")[0].rstrip(),
                                                         f"{name} = {value}", 1), 1)
        path.write_text(changed, encoding="utf-8")
        try:
            result = stubs_run(repo, *SWEEP_TESTS[stub])
        finally:
            path.write_text(finished, encoding="utf-8")
        statuses = set(board(result.stdout).values()) - {"not run"}
        if result.returncode != 0 or statuses != {"done"}:
            tried = ", ".join(f"{name} = {value}" for (name, _), value in values.items())
            problems.append((tried, result.stdout[-3000:]))
    return problems


@pytest.mark.parametrize("stub", list(SWEEP_TESTS))
def test_every_listed_setting_passes_the_finished_stubs(finished_repo, stub):
    if settings_file(finished_repo, stub) is None:
        pytest.skip(f"neither stubs/{stub} nor {stub} has a Settings cell")
    assert not sweep(finished_repo, stub)


def test_the_sweep_finds_the_values_the_comments_list():
    found = {stub: {f"{name} = {value}" for name, _, value in
                    settings_of(settings_file(REPO_ROOT, stub).read_text(encoding="utf-8"))}
             for stub in SWEEP_TESTS if settings_file(REPO_ROOT, stub)}
    assert {'GATE = "and"', 'GATE = "xor"', "EPOCHS = 200"} <= found["mlp.py"]
    part4 = found.get("lstm.py", set()) | found.get("run_lstm.py", set())
    assert {'CELL = "gru"', 'CELL = "simple"', 'MODE = "point"', 'DATASET = "sine"',
            "EPOCHS = 5", "LIVE = True"} <= part4
    assert all(name not in REPO_TESTS for name in PART_TESTS)
