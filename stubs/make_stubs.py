"""Make the exercise versions of the evening's scripts.

Each top-level script is a complete, tested solution. The code a student writes stands between
a line `### BEGIN SOLUTION` and a line `### END SOLUTION`, just below a `# TODO:` comment with
numbered pseudo-code. This tool writes stubs/<script>.py with each such region replaced, at the
same indentation, by

    raise NotImplementedError("TODO: <the TODO's first line>")

so a stub runs up to its first unfinished exercise and stops there with those words.

    python stubs/make_stubs.py            # write every stub
    python stubs/make_stubs.py --check    # exit 1, naming the files, if stubs/ is out of date

Never edit the stubs by hand in the repo: edit the solution and run this again.
"""

import argparse
import os
import sys
from pathlib import Path

STUBS_DIR = Path(__file__).resolve().parent
REPO_ROOT = STUBS_DIR.parent
EVENING = ("mlp.py", "rnn.py", "min_char_rnn.py", "lstm.py", "run_lstm.py")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HEADER = (
    "# Exercise version of {name}, made by stubs/make_stubs.py from the solution one folder up.\n"
    "# Replace each `raise NotImplementedError(...)` with your code, following the TODO above it.\n"
)


class StubError(ValueError):
    """A solution script whose regions cannot be turned into a stub."""


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
    """Return the exercise version of a solution's source text."""
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
    return HEADER.format(name=name) + stub if stub != source else stub


def write_atomically(path, text):
    """Write to a temporary file beside `path`, then rename it into place.

    The temporary name is fixed, so one left by a killed write is replaced by the next.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def expected_stubs(names):
    """Map each stub path to the text it should hold."""
    stubs = {}
    for name in names:
        source = (REPO_ROOT / name).read_text(encoding="utf-8")
        stubs[STUBS_DIR / name] = make_stub(source, name)
    return stubs


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


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Write the exercise versions under stubs/.")
    parser.add_argument("scripts", nargs="*", help="scripts to convert (default: all of "
                        + ", ".join(EVENING) + ")")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1, listing the files, if stubs/ is out of date")
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


def check(stubs):
    """Exit status 1, listing the stale files, when stubs/ is out of date; else 0."""
    stale = [path for path, text in stubs.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    for path in stale:
        print(f"out of date: {path.relative_to(REPO_ROOT)}")
    if stale:
        print("Run `python stubs/make_stubs.py` to regenerate them.")
    return 1 if stale else 0


def write(stubs):
    """Write every stub, each through a temporary file; exit status 0."""
    for path, text in stubs.items():
        write_atomically(path, text)
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


def main(argv=None):
    try:
        args = parse_args(argv)
        stubs = expected_stubs(chosen_names(args.scripts))
        status = check(stubs) if args.check else write(stubs)
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
