"""Hostile input: missing, empty, corrupt and wrong-kind files, nonsense settings, bad outputs.

    python -m pytest -m dev tests/test_hostile_input.py

Every case builds its own files in a temporary folder, runs a script the way a careless or
unlucky user would, and checks three things: the exit status; where the run is refused, one
plain sentence on stderr and no traceback (or argparse's own usage format for a bad flag); and
that no file that existed before was changed or removed, and no new file was left behind.

These are slow developer tests (a new Python for most cases), left out of the plain
`python -m pytest`; CI runs them as a second step.
"""

import pytest

from conftest import REPO_ROOT, assert_plain_error, assert_usage_error, snapshot  # noqa: F401

pytestmark = pytest.mark.dev


# %% mlp.py


# %% rnn.py


# %% min_char_rnn.py


# %% lstm.py and run_lstm.py


# %% stubs/make_stubs.py, data/make_data.py and check_setup.py
