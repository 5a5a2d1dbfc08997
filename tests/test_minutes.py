"""The evening's minutes, said once here and checked everywhere they are written.

The README (the table of "The evening" and its sentence above the table), each part's page in
docs/ (its "Your turn" line), the slides (the plan table and the "your turn: N minutes" header
of each exercise slide) and the header docstring of each script with exercises must all give
the numbers of PLAN and EXERCISE below. To change a time, change it here first, then wherever
a test names.
"""

import ast
import re

import pytest

from conftest import PARTS, REPO_ROOT

PLAN = {  # the evening, in minutes and in order; it must add up to TOTAL
    "introduction": 5,
    "Part 1": 40,
    "Part 2": 30,
    "break": 5,
    "Part 3": 10,  # a demo: its exercise is optional, for early finishers or after class
    "Part 4": 25,
    "slack": 5,
}
TOTAL = 120
EXERCISE = {"Part 1": 25, "Part 2": 20, "Part 3": 20, "Part 4": 15}  # "your turn", within each
OPTIONAL = {"Part 3"}  # its exercise lies outside the plan's minutes
SCRIPTS = {f"Part {part}": script for script, part in PARTS.items()}  # Part 1 -> "mlp", ...


def section(text, heading):
    """The lines of a Markdown section, from its heading up to the next one of its level."""
    level = heading.split(" ", 1)[0]
    start = text.index(heading + "\n") if heading + "\n" in text else text.index(heading)
    end = re.search(rf"^{level} ", text[start + len(heading):], flags=re.MULTILINE)
    return text[start:start + len(heading) + end.start()] if end else text[start:]


def plan_item(first_cell):
    """The PLAN item that a table row's first cell names ("1. A neural net" -> "Part 1")."""
    cell = first_cell.strip().lower().lstrip("[")  # a cell may be a link to the part's page
    numbered = re.match(r"(\d)\.", cell)
    if numbered:
        return f"Part {numbered.group(1)}"
    return next((item for item in PLAN if item in cell), None)


def table_minutes(text):
    """{item: (minutes of the plan, minutes of its exercise or None)} from the first Markdown
    table of `text`: its time column ("time" or "minutes"), and its exercise minutes, from a
    "your turn" column or from "exercise ... about N" in the time cell."""
    rows = [line.strip().strip("|").split("|") for line in text.splitlines()
            if line.lstrip().startswith("|")]
    header = [cell.strip().lower() for cell in rows[0]]
    time = next(index for index, name in enumerate(header) if name in ("time", "minutes"))
    turn = next((index for index, name in enumerate(header) if "your turn" in name), None)
    found = {}
    for row in rows[2:]:  # after the header and its |---| line
        item = plan_item(row[0])
        if item is None:
            continue
        minutes = int(re.match(r"\s*(\d+)", row[time]).group(1))
        exercise = re.search(r"about (\d+)", row[time])
        if turn is not None and re.search(r"\d+", row[turn]):
            exercise = re.search(r"(\d+)", row[turn])
        found[item] = (minutes, int(exercise.group(1)) if exercise else None)
    return found


def check_table(found, where):
    """Every item of the plan is in the table, with the right minutes and exercise minutes."""
    wrong = [f"{item}: {minutes} min (should be {PLAN.get(item)})"
             for item, (minutes, _) in found.items() if minutes != PLAN.get(item)]
    wrong += [f"{item}: exercise about {exercise} min (should be {EXERCISE[item]})"
              for item, (_, exercise) in found.items()
              if exercise is not None and exercise != EXERCISE.get(item)]
    wrong += [f"{item}: missing" for item in PLAN if item not in found]
    if list(found) != [item for item in PLAN if item in found]:
        wrong.append(f"the rows are out of order ({', '.join(found)})")
    assert not wrong, f"{where} disagrees with tests/test_minutes.py: " + "; ".join(wrong)


def test_the_plan_adds_up():
    assert sum(PLAN.values()) == TOTAL
    assert all(EXERCISE[part] < PLAN[part] for part in EXERCISE if part not in OPTIONAL)
    assert set(EXERCISE) == set(SCRIPTS)


# %% README.md
@pytest.fixture(scope="module")
def readme():
    return (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_table_of_the_evening(readme):
    evening = section(readme, "## The evening")
    check_table(table_minutes(evening), "README.md's table of \"The evening\"")


def test_readme_sentence_above_the_table(readme):
    intro = section(readme, "## The evening").split("\n|", 1)[0]
    total = re.search(r"(\d+) minutes", intro)
    assert total and int(total.group(1)) == TOTAL, intro
    said = {"introduction": re.findall(r"(\d+)-minute introduction", intro),
            "break": re.findall(r"(\d+)-minute break", intro),
            "slack": re.findall(r"(\d+) minutes of slack", intro)}
    wrong = [f"{item} {numbers}" for item, numbers in said.items()
             if any(int(number) != PLAN[item] for number in numbers)]
    assert not wrong, f"README.md's sentence on the evening says {wrong}: {intro}"


@pytest.mark.parametrize("part", list(EXERCISE))
def test_part_page_your_turn_line(part):
    page = next((REPO_ROOT / "docs").glob(f"part{part[-1]}-*.md"))
    line = next((line for line in page.read_text(encoding="utf-8").splitlines()
                 if line.startswith("**Your turn")), None)
    assert line, f"{page.name} has no **Your turn** line"
    exercise = re.search(r"about (\d+)", line)
    assert exercise and int(exercise.group(1)) == EXERCISE[part], (
        f"{page.name} says {line[:80]!r}; the exercise takes about {EXERCISE[part]} "
        "minutes (tests/test_minutes.py)")
    for number in re.findall(rf"{part}'s (\d+) minutes", line):
        assert int(number) == PLAN[part], line
    assert ("optional" in line.lower()) == (part in OPTIONAL), line


# %% slides/slides.md
@pytest.fixture(scope="module")
def slides():
    return (REPO_ROOT / "slides" / "slides.md").read_text(encoding="utf-8")


def test_slides_plan(slides):
    heading = next(line for line in slides.splitlines() if line.startswith("## The plan"))
    total = re.search(r"(\d+) minutes", heading)
    assert total and int(total.group(1)) == TOTAL, heading
    check_table(table_minutes(section(slides, heading)), f"slides.md's {heading!r}")
    for part, minutes in re.findall(r"Part (\d)'s exercise \(about (\d+) minutes", slides):
        assert int(minutes) == EXERCISE[f"Part {part}"], f"slides.md: Part {part}'s exercise"


def test_slides_your_turn_headers(slides):
    headers = re.findall(r'_header: "your turn: (optional, )?(\d+) minutes"\s*-->\s*\n+'
                         r"## Your turn, part (\d)", slides)
    said = {f"Part {part}": (int(minutes), bool(optional))
            for optional, minutes, part in headers}
    assert said == {part: (minutes, part in OPTIONAL) for part, minutes in EXERCISE.items()}, (
        "slides.md's `your turn: N minutes` headers, as (minutes, optional)")


# %% The header docstring of each script with exercises
@pytest.mark.parametrize("part", list(EXERCISE))
def test_script_docstring_says_the_exercise_minutes(part):
    """Every "N minutes" in a paragraph of the docstring about the exercises is the exercise's
    (or, written "Part N's M minutes", the part's)."""
    script = SCRIPTS[part]
    docstring = ast.get_docstring(ast.parse((REPO_ROOT / f"{script}.py").read_text("utf-8")))
    said = []
    for paragraph in docstring.split("\n\n"):
        if "exercise" not in paragraph.lower():
            continue
        for before, number in re.findall(r"(Part \d's |about )?(\d+)(?= minutes| of Part)",
                                         paragraph):
            said.append((int(number), PLAN[part] if before.startswith("Part") else
                         EXERCISE[part]))
    assert said, (f"{script}.py's header docstring does not say how long its exercises take: "
                  f"about {EXERCISE[part]} minutes")
    assert all(number == expected for number, expected in said), (
        f"{script}.py's header docstring says {[number for number, _ in said]} minutes; the "
        f"exercise takes about {EXERCISE[part]} (tests/test_minutes.py)")
