"""Tests for the slides: every picture the deck links exists, and every part has its slide.

    python -m pytest tests/test_slides.py

The deck is slides/slides.md (Marp Markdown); its pictures are made by slides/make_figures.py.
"""

import os
import re
import subprocess
import sys

from conftest import REPO_ROOT

SLIDES_DIR = REPO_ROOT / "slides"
DECK = SLIDES_DIR / "slides.md"

# The evening in order: a name for each part and words that its slide must hold (all of them).
PARTS = [
    ("why we are here", ["why are we here"]),
    ("disclaimer", ["not trading advice", "own risk"]),
    ("the plan", ["mlp.py", "rnn.py", "min_char_rnn.py", "run_lstm.py"]),
    ("what neural networks are", ["neural network", "weights"]),
    ("where they are used", ["where they are used"]),
    ("the multilayer perceptron", ["multilayer perceptron", "feed forward"]),
    ("learning the weights", ["loss", "backpropagation", "gradient descent"]),
    ("the logic gates", ["and", "or", "xor", "| 1 | 1 | 1 | 1 | 0 |"]),
    ("the training pseudo-code", ["pseudo-code", "python mlp.py"]),
    ("the mlp exercise", ["stubs/mlp.py", "python -m pytest --impl stubs tests/test_mlp.py"]),
    ("the mlp debrief", ["debrief", "xor", "order"]),
    ("order matters", ["recurrent", "hidden state"]),
    ("mlp and rnn side by side", ["img/mlp_network_question.png", "img/rnn_network_question.png",
                                  "how many"]),
    ("the weight count", ["| 8 | 8 |", "16", "| 4 | 4 |", "biases", "img/mlp_network.png",
                          "img/rnn_network.png"]),
    ("what the recurrent weights buy", ["h_prev", "whh", "same"]),
    ("coding the rnn", ["python rnn.py", "tests/test_rnn.py"]),
    ("the rnn's sine wave", ["img/rnn_sine.png", "free running"]),
    ("the char-rnn detour", ["python min_char_rnn.py", "stubs/min_char_rnn.py"]),
    ("char-rnn samples", ["img/char_rnn_stages.png", "temperature"]),
    ("deeper rnns and their gradients", ["explode", "vanish"]),
    ("switching to keras", ["keras", "simplernn", "gru", "lstm"]),
    ("the lstm cell", ["lstm cell", "gate"]),
    ("the lstm sine wave", ["python run_lstm.py sine", "img/lstm_sine.png"]),
    ("the s&p 500", ["python run_lstm.py", "img/lstm_sp500.png", "baseline"]),
    ("why one step ahead flatters", ["flatters", "tomorrow = today", "ratio"]),
    ("your own stock", ["python run_lstm.py --csv"]),
    ("where to go next", ["where to go next"]),
]


def read_deck():
    """The front matter and the slides of the deck, each as text."""
    text = DECK.read_text(encoding="utf-8")
    parts = re.split(r"^---[ \t]*$", text, flags=re.MULTILINE)
    assert parts[0].strip() == "", "the deck must open with its front matter"
    return parts[1], [slide for slide in parts[2:] if slide.strip()]


def image_links(text):
    """The targets of Markdown image links ![...](...) in a text."""
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)


def test_deck_is_marp_with_at_least_20_slides():
    front_matter, slides = read_deck()
    assert re.search(r"^marp:\s*true\s*$", front_matter, flags=re.MULTILINE)
    assert len(slides) >= 20, len(slides)


def test_every_linked_image_exists_and_is_relative():
    links = image_links(DECK.read_text(encoding="utf-8"))
    assert len(set(links)) >= 6, links
    for link in links:
        assert link.startswith("img/") and link.endswith(".png"), link
        assert (SLIDES_DIR / link).is_file(), f"{link} is missing: run slides/make_figures.py"


def test_every_picture_in_img_is_used_by_the_deck():
    links = set(image_links(DECK.read_text(encoding="utf-8")))
    unused = [path.name for path in sorted((SLIDES_DIR / "img").glob("*.png"))
              if f"img/{path.name}" not in links]
    assert not unused, f"pictures that no slide shows: {unused}"


def test_a_slide_for_each_part_of_the_evening_in_order():
    _, slides = read_deck()
    lowered = [slide.lower() for slide in slides]
    position = 0  # each part's slide comes at or after the previous part's slide
    for part, words in PARTS:
        matches = [i for i, slide in enumerate(lowered) if all(w.lower() in slide for w in words)]
        assert matches, f"no slide for {part!r} (a slide holding all of {words})"
        later = [i for i in matches if i >= position]
        assert later, f"the slide for {part!r} comes too early (slide {matches[0] + 1})"
        position = later[0]


def test_every_script_command_in_the_deck_names_a_real_script():
    commands = re.findall(r"python ((?:stubs/|slides/)?[\w/]+\.py)", DECK.read_text("utf-8"))
    assert commands
    for script in set(commands):
        assert (REPO_ROOT / script).is_file(), f"the deck runs {script}, which does not exist"


def test_figure_maker_lists_every_picture_the_deck_uses():
    result = subprocess.run([sys.executable, str(SLIDES_DIR / "make_figures.py"), "--list"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    names = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    links = {link.removeprefix("img/").removesuffix(".png")
             for link in image_links(DECK.read_text(encoding="utf-8"))}
    assert links == names


def test_figure_maker_draws_the_diagrams(tmp_path):
    names = ["mlp_network", "rnn_network"]
    result = subprocess.run([sys.executable, str(SLIDES_DIR / "make_figures.py"), *names,
                             "--out", str(tmp_path)], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    for name in names:
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(list(tmp_path.iterdir())) == len(names)  # no temporary file left behind
