"""Make the exercise versions of the evening's scripts, and never overwrite your work on them.

Each top-level script is a complete, tested solution. The code a student writes stands between
a line `### BEGIN SOLUTION` and a line `### END SOLUTION`, just below a `# TODO:` comment with
numbered pseudo-code. This tool writes stubs/<script>.py with each such region replaced, at the
same indentation, by

    raise NotImplementedError("TODO: <the TODO's first line>")

so a stub runs up to its first unfinished exercise and stops there with those words. Its first
lines put the repo's folder (the one holding data/) on the import path after stubs/, so that it
imports the shared modules (plumbing.py, series_csv.py, prices.py) from the top of the repo, in
a notebook too; run_lstm.py, with no exercise, gets a launcher that runs the repo's script.

    python stubs/make_stubs.py                  # write every stub that nobody has edited
    python stubs/make_stubs.py mlp.py           # the same, for mlp.py only
    python stubs/make_stubs.py --check          # exit 1, naming them, if such stubs are stale
    python stubs/make_stubs.py --reset mlp.py   # back up your stubs/mlp.py, then write it anew

Your work is never overwritten. Each file written here carries a fingerprint of its text
(`# make_stubs: sha256 ...`). A file that still matches it is regenerated, so that changes to the
solutions reach the stubs; one that does not (an exercise done, a Settings value changed, a
notebook's header added) holds your work and is kept, named in the output. `--reset` replaces it
on purpose, after a backup beside it (stubs/mlp.py.bak-<date>-<time>). Old copies of plumbing.py
and series_csv.py go the same way. Never edit a stub in the repo: edit the solution, run this.
"""

import argparse
import hashlib
import os
import re
import secrets
import sys
import time
from pathlib import Path

STUBS_DIR = Path(__file__).resolve().parent
REPO_ROOT = STUBS_DIR.parent
EVENING = ("mlp.py", "rnn.py", "min_char_rnn.py", "lstm.py", "run_lstm.py")
OLD_COPIES = ("plumbing.py", "series_csv.py")  # copies an earlier make_stubs wrote here
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HEADER = (
    "# Exercise version of {name}, made by stubs/make_stubs.py from the solution one folder up.\n"
    "# Replace each `raise NotImplementedError(...)` with your code, following the TODO above it.\n"
)
FIND_REPO = (  # a stub's set-up, above its first import; no __file__ in a notebook: its folder
    "import sys  # these three lines, made by stubs/make_stubs.py, put the repo's folder (the\n"
    "from pathlib import Path  # one that holds data/) on the import path, after stubs/\n"
    "sys.path.append(str(next((folder for folder in Path(globals().get(\"__file__\", \"x\"))"
    ".resolve().parents if (folder / \"data\").is_dir()), Path.cwd())))\n"
)
LAUNCHER = '''\
# Runs {name} from the repo's folder with the exercise versions beside this file: every flag
# works here (`python stubs/{name} --help`). Made by stubs/make_stubs.py; the settings and the
# code are in the {name} one folder up. In a notebook, its names land in the notebook: set
# one (DATASET = "sine") in a cell below, then run `main([])`.
import sys
from pathlib import Path

here = Path(globals().get("__file__", "x")).resolve().parent  # stubs/ (a notebook: its folder)
repo = next((folder for folder in here.parents if (folder / "data").is_dir()), here.parent)
sys.path[:0] = [str(here)]  # the stubs first, then the repo's shared modules
sys.path.append(str(repo))
script = repo / "{name}"
exec(compile(script.read_text(encoding="utf-8"), script, "exec"))  # as if it were this file
'''
FINGERPRINT = "# make_stubs: sha256 {}\n"
FINGERPRINT_LINE = re.compile(r"# make_stubs: sha256 ([0-9a-f]{64})\s*$")
TODO_RAISE = re.compile(r"\s*raise NotImplementedError\(['\"]TODO")
COMMAND = "python stubs/make_stubs.py"


class StubError(ValueError):
    """A solution script whose regions cannot be turned into a stub, or a bad argument."""


# %% From a solution to its stub
def todo_first_line(lines, begin_index, name):
    """The text of the `# TODO:` comment in the block of comments just above a region."""
    index = begin_index - 1
    while index >= 0 and lines[index].lstrip().startswith("#"):
        text = lines[index].strip().lstrip("#").strip()
        if text.startswith(("TODO:", "TODO (optional):")):
            return text
        index -= 1
    raise StubError(f"{name}, line {begin_index + 1}: a solution region needs a `# TODO:` "
                    "(or `# TODO (optional):`) comment just above it.")


def make_stub(source, name="script"):
    """Return the exercise version of a solution's source text (without its fingerprint)."""
    lines = source.splitlines(keepends=True)
    output, begin_index = [], None
    for index, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if begin_index is not None:
                raise StubError(f"{name}, line {index + 1}: a solution region starts inside the "
                                f"one opened at line {begin_index + 1}; close that one first.")
            begin_index = index
        elif marker == END:
            if begin_index is None:
                raise StubError(f"{name}, line {index + 1}: `{END}` has no `{BEGIN}` above it.")
            if not any(body.strip() for body in lines[begin_index + 1:index]):
                raise StubError(f"{name}, line {begin_index + 1}: the solution region is empty.")
            opening = lines[begin_index]
            indent = opening[: len(opening) - len(opening.lstrip())]
            message = todo_first_line(lines, begin_index, name)
            output.append(f"{indent}raise NotImplementedError({message!r})\n")
            begin_index = None
        elif begin_index is None:
            output.append(line)
    if begin_index is not None:
        raise StubError(f"{name}, line {begin_index + 1}: the solution region is never closed "
                        f"with `{END}`.")
    stub = "".join(output)
    if stub == source:  # no exercises: run the script itself
        return LAUNCHER.format(name=name)
    first_import = re.search(r"^(import|from) ", stub, flags=re.MULTILINE)
    if first_import:
        stub = stub[:first_import.start()] + FIND_REPO + stub[first_import.start():]
    return HEADER.format(name=name) + stub


# %% Fingerprints: what make_stubs wrote, told apart from what you wrote
def digest(text):
    """SHA-256 of a text, the same whether its lines end in LF or CRLF (git on Windows)."""
    return hashlib.sha256(text.replace("\r\n", "\n").encode("utf-8")).hexdigest()


def with_fingerprint(text):
    """`text` (a header of comment lines, then the code) with its fingerprint line added after
    the header: the digest of `text` itself, so of the file without that line."""
    lines = text.splitlines(keepends=True)
    header = next((index for index, line in enumerate(lines) if not line.startswith("#")),
                  len(lines))
    return "".join(lines[:header]) + FINGERPRINT.format(digest(text)) + "".join(lines[header:])


def read_fingerprint(text):
    """(the digest that a file's fingerprint line records, the file without that line), or
    (None, text) for a file without one."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        match = FINGERPRINT_LINE.match(line)
        if match:
            return match.group(1), "".join(lines[:index] + lines[index + 1:])
    return None, text


def read_stub(path):
    """A file under stubs/ as text; one that is not UTF-8 (saved by another editor) is read
    with stand-ins for its odd bytes, so it never matches a fingerprint."""
    return path.read_bytes().decode("utf-8", errors="replace")


def state(path, fresh):
    """What `path` holds, against the `fresh` text that make_stubs would write there now (None
    for an old copy that it no longer makes):

    - "missing": nothing yet;
    - "current": exactly `fresh` (or, for an old copy, nothing: it is gone);
    - "stale": the text make_stubs wrote earlier, untouched since (it matches its fingerprint);
    - "work": your work: the file differs from the text make_stubs wrote.

    A stub made before fingerprints existed can only tell work by its exercises: it holds work
    when one of its `raise NotImplementedError("TODO...")` lines is gone, and is stale if not.
    """
    if not path.exists():  # nothing there, or a link to nothing, which the write replaces
        return "current" if fresh is None else "missing"
    text = read_stub(path)
    if text == fresh:
        return "current"
    recorded, rest = read_fingerprint(text)
    if recorded is not None:
        return "stale" if digest(rest) == recorded else "work"
    if fresh is None:
        return "work"
    raises = [sum(bool(TODO_RAISE.match(line)) for line in version.splitlines())
              for version in (text, fresh)]
    return "work" if raises[0] < raises[1] else "stale"


def solution_changed(path, fresh):
    """True when the stub with work at `path` was made from an earlier version of its solution
    (or when that cannot be told)."""
    recorded, _ = read_fingerprint(read_stub(path))
    return fresh is None or recorded != read_fingerprint(fresh)[0]


# %% Writing
def write_atomically(path, text):
    """Write to a temporary file beside `path`, then rename it into place: a reader never sees
    half a file. The temporary name is this write's own, so two runs at once never mix."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def back_up(path):
    """Copy `path` to a new file beside it, stubs/mlp.py.bak-<date>-<time> (with -2, -3, ...
    when that name is taken: an earlier backup is never overwritten); returns the copy's path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    data = path.read_bytes()
    for number in range(1, 1000):
        backup = path.with_name(f"{path.name}.bak-{stamp}" + (f"-{number}" if number > 1 else ""))
        try:
            with open(backup, "xb") as file:  # "x": fails, rather than overwrite, if it exists
                file.write(data)
            return backup
        except FileExistsError:
            continue
    raise StubError(f"Could not find a free backup name beside {path}, which was kept as "
                    f"it is; move the old {path.name}.bak-* files elsewhere and run this again.")


def expected_files(names):
    """Map each file under stubs/ to the text make_stubs would write there now: the stubs of
    `names`, and None for the old copies of the shared modules, which are no longer made."""
    files = {}
    for name in names:
        source = read_solution(name)
        files[STUBS_DIR / name] = with_fingerprint(make_stub(source, name))
    for name in OLD_COPIES:
        files[STUBS_DIR / name] = None
    return files


def read_solution(name):
    """The text of a script or module at the top of the repo."""
    try:
        return (REPO_ROOT / name).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise StubError(f"{REPO_ROOT / name} is not UTF-8 text; save it as UTF-8 "
                        "(nothing was written).") from None


# %% Command line
def evening_name(argument):
    """The file name of the evening's script that `argument` names, or None.

    A bare name (`mlp.py`) or a path to the solution itself (`./mlp.py`, an absolute path)
    names it; anything else (a stub, another folder, another file) names nothing, so a stub is
    only ever written under stubs/ and never over a solution.
    """
    path = Path(argument)
    if path.name not in EVENING:
        return None
    if path.name != argument and path.resolve() != (REPO_ROOT / path.name).resolve():
        return None
    return path.name


def stub_name(argument):
    """The name of the file under stubs/ that `--reset argument` names (`mlp.py`,
    `stubs/mlp.py`, `plumbing.py`, a path to the stub or to its solution), or None."""
    path = Path(argument)
    if path.name not in EVENING + OLD_COPIES or not (REPO_ROOT / path.name).is_file():
        return None
    if path.name != argument and path.resolve().parent not in (STUBS_DIR, REPO_ROOT.resolve()):
        return None
    return path.name


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Write the exercise versions under stubs/; a stub that holds your work is "
                    "kept, unless you name it with --reset.")
    parser.add_argument("scripts", nargs="*", help="scripts to convert (default: all of "
                        + ", ".join(EVENING) + ")")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true",
                        help="write nothing; exit 1, listing the files, if a stub that nobody "
                             "has edited is out of date (stubs with your work are only named)")
    action.add_argument("--reset", nargs="+", metavar="STUB", default=[],
                        help="write these stubs anew even though they hold your work, after "
                             "copying each to a backup beside it (stubs/mlp.py.bak-<time>)")
    return parser.parse_args(argv)


def chosen_names(arguments):
    """The evening's scripts to convert; a StubError names the first argument that is not one."""
    if not arguments:
        return [name for name in EVENING if (REPO_ROOT / name).is_file()]
    names = []
    for argument in arguments:
        name = evening_name(argument)
        if name is None:
            raise StubError(f"{argument} is not one of the evening's scripts at {REPO_ROOT}; "
                            f"name one or more of {', '.join(EVENING)} (nothing was written).")
        if not (REPO_ROOT / name).is_file():
            raise StubError(f"There is no {name} at {REPO_ROOT}; fetch the repo again "
                            "(nothing was written).")
        names.append(name)
    return names


def reset_names(arguments):
    """The stubs that `--reset` names; a StubError names the first argument that is not one."""
    names = []
    for argument in arguments:
        name = stub_name(argument)
        if name is None:
            present = [name for name in EVENING if (REPO_ROOT / name).is_file()]
            raise StubError(f"--reset {argument} names none of the stubs under {STUBS_DIR}; "
                            f"name one or more of {', '.join(present)} (nothing was written).")
        names.append(name)
    return names


def relative(path):
    return path.relative_to(REPO_ROOT).as_posix()


def kept_note(path, fresh):
    """Why a stub with work was kept, and the command that replaces it on purpose (safe: it
    backs the stub up first)."""
    reset = f"`{COMMAND} --reset {path.name}`"
    if fresh is None:
        return (f"The stubs import it instead of the repo's {path.name}, which they now find "
                f"one folder up; to remove it, {reset} copies it to a backup first.")
    if solution_changed(path, fresh):
        return (f"Its solution has changed since it was made; to take the new stub, {reset} "
                "copies yours to a backup beside it first.")
    return f"To start it again from a fresh stub, {reset} copies yours to a backup first."


def check(files):
    """Exit status 1, listing them, when a file under stubs/ that nobody edited is out of date;
    files with your work are named as kept and do not count. Writes nothing."""
    stale = 0
    for path, text in files.items():
        found = state(path, text)
        if found == "work":
            print(f"has your work, kept: {relative(path)}\n  {kept_note(path, text)}")
        elif found != "current":
            stale += 1
            print(f"out of date: {relative(path)}" + (" (missing)" if found == "missing" else
                                                       " (no longer made)" if text is None else ""))
    if stale:
        print(f"Run `{COMMAND}` to regenerate them; it never overwrites a stub that holds your "
              "work.")
    return 1 if stale else 0


def write(files, reset=()):
    """Write every file that is missing or that nobody edited; keep those with work unless
    `reset` names them, and back up any edited file before it is replaced. Exit status 0."""
    plan = {path: (state(path, text), text) for path, text in files.items()}  # read all first
    for path, (found, text) in plan.items():
        if found == "current":
            if text is not None:
                print(f"up to date: {relative(path)}")
            continue
        if found == "work" and path.name not in reset:
            print(f"kept {relative(path)}: it holds your work.\n  {kept_note(path, text)}")
            continue
        if found == "work":
            print(f"copied {relative(path)} to {relative(back_up(path))} (your version)")
        if text is None:
            path.unlink()
            print(f"removed {relative(path)}: the stubs import the repo's {path.name} now")
            continue
        write_atomically(path, text)
        print(f"wrote {relative(path)}")
    return 0


def main(argv=None):
    try:
        args = parse_args(argv)
        reset = reset_names(args.reset)
        names = chosen_names(args.scripts) if args.scripts or not reset else []
        names += [name for name in reset if name in EVENING and name not in names]
        files = expected_files(names)
        status = check(files) if args.check else write(files, reset)
        sys.stdout.flush()  # inside the try, so that a closed pipe is caught here
    except StubError as error:
        print(error, file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`| head`): end quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        print(f"Could not write {error.filename} ({error.strerror}); check that stubs/ is a "
              "folder you can write to.", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
