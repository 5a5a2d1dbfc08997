"""A Python for which some installed packages are missing, for the tests of what a run says then.

    env = hiding(tmp_path, "pandas")   # then subprocess.run(..., env={**os.environ, **env})
"""

import os
import textwrap


def hiding(folder, *names):
    """The environment of a Python for which the packages `names` are not installed.

    A sitecustomize.py in `folder`, put on PYTHONPATH, marks each as missing in sys.modules, as
    Python's own import system does: `import pandas` raises ModuleNotFoundError and
    `importlib.util.find_spec("pandas")` returns None. (A finder that raises from find_spec
    instead trips up libraries that ask find_spec whether a package is there, such as
    torch._dynamo, which asks about pandas when Keras loads PyTorch.)
    """
    (folder / "sitecustomize.py").write_text(textwrap.dedent(f"""\
        import sys

        for name in {list(names)!r}:
            sys.modules[name] = None  # "not installed", for import and for find_spec
        """))
    path = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))
    return {"PYTHONPATH": path}
