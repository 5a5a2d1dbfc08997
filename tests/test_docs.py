"""The README's pages: every relative link leads to a file of the repo, and to a heading there."""

import re

import pytest

from conftest import REPO_ROOT

PAGES = [REPO_ROOT / "README.md", REPO_ROOT / "CONTRIBUTING.md",
         *sorted((REPO_ROOT / "docs").glob("*.md")), REPO_ROOT / "slides" / "README.md",
         REPO_ROOT / "data" / "README.md"]


def anchors(page):
    """GitHub's anchors for the headings of a Markdown page (code blocks left out)."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def relative_links(page):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [target for target in re.findall(r"\]\(([^)\s]+)\)", text)
            if not re.match(r"[a-z]+:", target)]


def test_the_pages_exist():
    names = {page.name for page in PAGES if page.exists()}
    for name in ("setup.md", "part1-mlp.md", "part2-rnn.md", "part3-char-rnn.md",
                 "part4-lstm.md", "after-class.md", "notebooks.md", "CONTRIBUTING.md"):
        assert name in names, f"{name} is missing"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO_ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in relative_links(page):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"{page.relative_to(REPO_ROOT)} links to " + "; ".join(broken)


def test_the_front_page_stays_short():
    size = (REPO_ROOT / "README.md").stat().st_size
    assert size <= 12_500, f"README.md is {size:,} bytes; move detail to a page under docs/"
