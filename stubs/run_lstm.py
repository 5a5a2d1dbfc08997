# Runs run_lstm.py from the repo's folder with the exercise versions beside this file: every flag
# works here (`python stubs/run_lstm.py --help`). Made by stubs/make_stubs.py; the settings and the
# code are in the run_lstm.py one folder up. In a notebook, its names land in the notebook: set
# one (DATASET = "sine") in a cell below, then run `main([])`.
# make_stubs: sha256 6758b8db5f326ceb948cc0b9490f85f156b3f8e0e88b8501272a8ce311fb9ef6
import sys
from pathlib import Path

here = Path(globals().get("__file__", "x")).resolve().parent  # stubs/ (a notebook: its folder)
repo = next((folder for folder in here.parents if (folder / "data").is_dir()), here.parent)
sys.path[:0] = [str(here)]  # the stubs first, then the repo's shared modules
sys.path.append(str(repo))
script = repo / "run_lstm.py"
exec(compile(script.read_text(encoding="utf-8"), script, "exec"))  # as if it were this file
