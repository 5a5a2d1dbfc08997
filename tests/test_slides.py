"""Tests for the slides: every picture the deck links exists, and every part has its slide.

    python -m pytest tests/test_slides.py

The deck is slides/slides.md (Marp Markdown); its pictures are made by slides/make_figures.py.
The licence files and the commands that render the deck are checked here too.
"""

import os
import re
import subprocess
import sys
from pathlib import PurePosixPath

from conftest import REPO_ROOT

SLIDES_DIR = REPO_ROOT / "slides"
DECK = SLIDES_DIR / "slides.md"

# The evening in order: a name for each part and words that its slide must hold (all of them).
PARTS = [
    ("why we are here", ["why are we here"]),
    ("disclaimer", ["not trading advice", "own risk"]),
    ("the plan", ["mlp.py", "rnn.py", "min_char_rnn.py", "run_lstm.py", "120 minutes"]),
    ("what neural networks are", ["neural network", "weights"]),
    ("where they are used", ["where they are used"]),
    ("the multilayer perceptron", ["multilayer perceptron", "feed forward"]),
    ("learning the weights", ["loss", "backpropagation", "gradient descent"]),
    ("the logic gates", ["and", "or", "xor", "| 1 | 1 | 1 | 1 | 0 |"]),
    ("the training pseudo-code", ["pseudo-code", "python mlp.py"]),
    ("the mlp exercise", ["your turn, part 1", "python -m pytest --impl stubs tests/test_mlp.py"]),
    ("the mlp debrief", ["debrief", "xor", "order"]),
    ("order matters", ["recurrent", "hidden state"]),
    ("feed-forward and recurrent side by side", ["img/mlp_network_question.png",
                                                 "img/rnn_network_question.png", "how many"]),
    ("the weight count", ["| 8 | 8 |", "16", "| 4 | 4 |", "biases", "img/rnn_network.png",
                          "1-16-1"]),
    ("what the recurrent weights buy", ["h_prev", "whh", "same"]),
    ("the unrolled rnn", ["img/rnn_unrolled.png", "loss", "*against* the arrows"]),
    ("running the rnn", ["python rnn.py"]),
    ("the rnn's sine wave", ["img/rnn_sine.png", "free running"]),
    ("fed-back training", ["free running", "own previous predictions", "fed_back_error"]),
    ("the rnn exercise", ["your turn, part 2", "python -m pytest --impl stubs tests/test_rnn.py"]),
    ("the break", ["break: 5 minutes"]),
    ("the char-rnn detour", ["python min_char_rnn.py", "written for this repo"]),
    ("char-rnn samples", ["img/char_rnn_stages.png", "temperature"]),
    ("how much is copied", ["copied_line_rate"]),
    ("the char-rnn exercise", ["your turn, part 3", "optional",
                               "python -m pytest --impl stubs tests/test_min_char_rnn.py"]),
    ("deeper rnns and their gradients", ["explode", "vanish", "spread", "saturated"]),
    ("the lstm cell and its equations", ["lstm cell", "img/lstm_cell.png", "f_t", "i_t",
                                         "tilde{c}_t", "c_t", "o_t", "h_t"]),
    ("why the lstm cell keeps the error", ["lstm cell", "gate", "1997", "2000", "olah"]),
    ("switching to keras", ["keras", "simplernn", "gru", "lstm", "not shared"]),
    ("the lstm sine wave", ["python run_lstm.py sine", "img/lstm_sine.png"]),
    ("the s&p 500", ["python run_lstm.py", "img/lstm_sp500.png"]),
    ("why one step ahead flatters", ["flatters", "tomorrow = today", "ratio", "rising days"]),
    ("the lstm exercise", ["your turn, part 4",
                           "python -m pytest --impl stubs tests/test_lstm.py"]),
    ("your own stock", ["python run_lstm.py --csv"]),
    ("where to go next", ["where to go next"]),
    ("resources and credits", ["resources and credits", "long short-term memory",
                               "learning to forget"]),
    ("the data and the licences", ["sp500.csv", "`arch`", "s&p dow jones indices", "teaching",
                                   "no licence", "rhymes.txt", "mit", "cc by 4.0"]),
]
# The public work the scripts follow: the credits slide and the README link each of these.
CREDITS = [
    "https://gist.github.com/karpathy/d4dee566867f8291f086",
    "https://www.altumintelligence.com/articles/a/Time-Series-Prediction-Using-LSTM-Deep-Neural-Networks",
    "https://github.com/jaungiers/LSTM-Neural-Network-for-Time-Series-Prediction",
    "https://colah.github.io/posts/2015-08-Understanding-LSTMs/",
    "https://iamtrask.github.io/2015/07/12/basic-python-network/",
    "https://www.deeplearningbook.org/",
    "https://doi.org/10.1162/neco.1997.9.8.1735",  # Hochreiter and Schmidhuber, 1997
    "https://doi.org/10.1162/089976600300015015",  # Gers, Schmidhuber and Cummins, 2000
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
    names = ["mlp_network_question", "rnn_network", "rnn_unrolled"]
    result = subprocess.run([sys.executable, str(SLIDES_DIR / "make_figures.py"), *names,
                             "--out", str(tmp_path)], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr
    for name in names:
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(list(tmp_path.iterdir())) == len(names)  # no temporary file left behind


def slide_with(slides, words):
    """The one slide that holds all of `words` (lower case)."""
    found = [slide for slide in slides if all(word in slide.lower() for word in words)]
    assert len(found) == 1, (words, len(found))
    return found[0]


def test_a_your_turn_slide_for_each_part_with_its_minutes():
    _, slides = read_deck()
    for part, script in ((1, "mlp"), (2, "rnn"), (3, "min_char_rnn"), (4, "lstm")):
        slide = slide_with(slides, [f"your turn, part {part}"])
        assert re.search(r'_header: "your turn: (optional, )?\d+ minutes"', slide), slide
        assert f"--impl stubs tests/test_{script}.py" in slide
        assert f"stubs/{script}.py" in slide or f"stubs/{script.replace('lstm', 'run_lstm')}" \
            in slide


def test_every_slide_that_runs_a_script_is_marked_live():
    _, slides = read_deck()
    runs = [slide for slide in slides
            if re.search(r"^python (?!-m|stubs/|check_setup|slides/)\S+\.py", slide,
                         flags=re.MULTILINE) and "your turn" not in slide.lower()]
    assert len(runs) >= 5
    for slide in runs:
        title = next(line for line in slide.splitlines() if line.startswith("#"))
        if title.startswith(("# Thank", "## Your own stock", "## How the exercises")):
            continue  # commands to take home, not run on stage
        assert '_header: "live' in slide, title


def test_credits_on_a_slide_and_in_the_readme():
    _, slides = read_deck()
    credits = slide_with(slides, ["resources and credits"])
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Resources and credits", 1)[1].split("\n## ", 1)[0]
    for link in CREDITS:
        assert link in credits, link
        assert link in section, link


def read_pages():
    """README.md and its pages under docs/, as one text."""
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
    return "\n".join(page.read_text(encoding="utf-8") for page in pages)


def test_every_quoted_output_matches_the_readme():
    """Each line of a quoted output (a text block with numbers) stands in README.md or docs/."""
    readme = read_pages()
    quoted = re.findall(r"```text\n(.*?)```", DECK.read_text(encoding="utf-8"), flags=re.DOTALL)
    lines = [line.strip() for block in quoted for line in block.splitlines()
             if re.search(r"\d", line)]
    assert len(lines) >= 3, lines
    for line in lines:
        assert line in readme, f"the slides quote {line!r}, which no page of the README does"


def test_every_measured_number_on_a_slide_stands_in_the_readme():
    """Numbers with a decimal point or a thousands comma (losses, RMSEs, ratios, counts) are
    quoted from a script's output; the README's pages quote the same output, which its runs keep
    true."""
    readme = read_pages()
    deck = re.sub(r"<https?://[^>]+>", "", DECK.read_text(encoding="utf-8"))  # not the links
    numbers = set(re.findall(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?"
                             r"|(?<![\w.])\d+\.\d+(?![\w.])", deck))
    assert len(numbers) >= 8, numbers
    missing = sorted(number for number in numbers if number not in readme)
    assert not missing, f"the slides quote {missing}, which no page of the README does"


def png_size(path):
    """(width, height) in pixels of a PNG file, from its header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def figure_setting(name):
    """A number set at the top of slides/make_figures.py, such as SHARPNESS."""
    source = (SLIDES_DIR / "make_figures.py").read_text(encoding="utf-8")
    return float(re.search(rf"^{name} = ([\d.]+)", source, flags=re.MULTILINE).group(1))


def test_every_picture_is_shown_at_the_size_it_was_drawn_for():
    """An inline picture's `w:` is its width in slide pixels, so that a label of SLIDE_TEXT_PT
    points in the figure is as large on the slide as the body text (25 px at 1280x720)."""
    links = re.findall(r"!\[([^\]]*)\]\((img/[^)\s]+)\)", DECK.read_text(encoding="utf-8"))
    sharpness = figure_setting("SHARPNESS")
    for alt, link in links:
        if alt.startswith("bg"):
            continue  # a background picture is fitted to its half of the slide
        width = re.search(r"\bw:(\d+)", alt)
        assert width, f"{link} has no w: width on the slide"
        assert int(width.group(1)) <= 1160, f"{link} is wider than the slide's text"
        drawn = png_size(SLIDES_DIR / link)[0]
        assert abs(drawn - sharpness * int(width.group(1))) <= 2, (
            f"{link} is {drawn} px wide, drawn for w:{drawn / sharpness:.0f}: run "
            "slides/make_figures.py, or show it at that width")


def test_no_text_in_a_figure_is_smaller_than_the_slides_body_text():
    source = (SLIDES_DIR / "make_figures.py").read_text(encoding="utf-8")
    points = figure_setting("SLIDE_TEXT_PT")
    assert points * figure_setting("SLIDE_PX_PER_INCH") / 72 >= 25  # body text: 25 px
    sizes = [float(size) for size in re.findall(r"fontsize=([\d.]+)", source)]
    assert sizes, "no font size found in make_figures.py"
    assert min(sizes) >= points, f"a label of {min(sizes)} pt in make_figures.py"
    assert re.search(r'"font\.size", "axes\.titlesize"', source)  # every default text too


def test_every_marp_render_command_allows_local_files():
    """Without --allow-local-files, the PDF and the images Marp draws show no picture; without
    --yes, npx stops to ask before it installs Marp, and a script or CI job waits forever."""
    commands = []
    for readme in (SLIDES_DIR / "README.md", REPO_ROOT / "README.md"):
        commands += [line for line in readme.read_text(encoding="utf-8").splitlines()
                     if re.match(r"\s*(npx\s+(--yes\s+)?)?(@marp-team/)?marp(-cli)?(@[\w.]+)?\s",
                                 line)]
    assert any("--pdf" in line for line in commands), commands
    assert any("--images" in line for line in commands), commands
    for line in commands:
        assert "--allow-local-files" in line, f"a render command without the flag: {line}"
        assert not line.lstrip().startswith("npx") or line.lstrip().startswith("npx --yes "), (
            f"a render command that stops to ask in a non-interactive shell: {line}")
    guide = (SLIDES_DIR / "README.md").read_text(encoding="utf-8")
    assert re.search(r"Node(\.js)? \d+", guide), "slides/README.md names no Node version"


def test_the_rendered_deck_is_ignored_by_git_and_its_pictures_are_not():
    patterns = [line.strip().rstrip("/") for line in
                (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]

    def ignored(path):
        return any(PurePosixPath(path).match(pattern) for pattern in patterns)

    for rendered in ("slides/slides.html", "slides/slides.pdf", "slides/slides.pptx",
                     "slides/slide.001.png"):
        assert ignored(rendered), f"{rendered}, which Marp renders, is not in .gitignore"
    for picture in sorted((SLIDES_DIR / "img").glob("*.png")):
        assert not ignored(f"slides/img/{picture.name}"), f"{picture.name} would be ignored"


def test_no_perceptron_but_the_multilayer_one():
    """A perceptron (one unit) cannot learn XOR; the evening's 2-4-1 network is a multilayer
    perceptron, and the deck calls it nothing shorter, front matter and headings included."""
    text = DECK.read_text(encoding="utf-8")
    bare = [text[max(0, m.start() - 30):m.end()] for m in re.finditer(r"perceptron", text,
                                                                       flags=re.IGNORECASE)
            if not text[:m.start()].lower().endswith("multilayer ")]
    assert not bare, f"'perceptron' for the 2-4-1 network: {bare}"


def test_the_lstm_equations_gate_by_gate_beside_the_diagram():
    """Olah's order: forget, input, candidate, cell, output, hidden, on the diagram's slide."""
    _, slides = read_deck()
    slide = slide_with(slides, ["img/lstm_cell.png"])
    block = re.search(r"\$\$(.*?)\$\$", slide, flags=re.DOTALL)
    assert block, "no $$ ... $$ block of equations beside the LSTM diagram"
    defined = [line.split("&=")[0].strip() for line in block.group(1).splitlines()
               if "&=" in line]
    assert defined == ["f_t", "i_t", r"\tilde{C}_t", "C_t", "o_t", "h_t"], defined
    for gate in ("sigma(W_f", "sigma(W_i", "tanh(W_C", "sigma(W_o", r"f_t \odot C_{t-1}",
                 r"o_t \odot \tanh(C_t)"):
        assert gate in block.group(1), f"the equations lack {gate!r}"


def font_sizes(css):
    """(selector, size) for every font-size in a piece of CSS."""
    return [(selector.strip(), size.strip()) for selector, body in
            re.findall(r"([^{}]+)\{([^}]*)\}", css)
            for size in re.findall(r"font-size:\s*([^;]+);", body)]


def at_least_body_text(size):
    """Whether a CSS font size is at least the body text's 25 px (1em, 100%)."""
    number, unit = re.fullmatch(r"([\d.]+)\s*(px|em|rem|%)", size).groups()
    return float(number) >= {"px": 25, "em": 1, "rem": 1, "%": 100}[unit]


def test_every_label_at_least_the_body_texts_size():
    """Tables, the corner badges ("live: run it") and the figures' text are the labels of the
    deck: none is smaller than the body text, 25 px of the 1280x720 slide."""
    text = DECK.read_text(encoding="utf-8")
    front_matter, _ = read_deck()
    styles = [front_matter.split("style: |", 1)[1]]
    styles += re.findall(r"<style scoped>(.*?)</style>", text, flags=re.DOTALL)
    sizes = [found for css in styles for found in font_sizes(css)]
    assert sizes[0] == ("section", "25px"), f"the body text is not 25 px: {sizes[0]}"
    labels = [(selector, size) for selector, size in sizes
              if re.search(r"\b(table|th|td|header|caption)\b", selector)]
    assert {"table", "header"} <= {selector for selector, _ in labels}, sizes
    small = [(selector, size) for selector, size in labels if not at_least_body_text(size)]
    assert not small, f"labels smaller than the body text: {small}"


def test_the_wilder_book_is_sampled_from_the_saved_network_without_training():
    """`--temperature` alone trains again for a minute; with `--resume` of the checkpoint and
    `--iters 0` the script writes its book at once."""
    commands = [line for line in DECK.read_text(encoding="utf-8").splitlines()
                if line.startswith("python min_char_rnn.py") and "--temperature" in line]
    assert commands
    for command in commands:
        assert "--resume figures/min_char_rnn.npz" in command and "--iters 0" in command, command
