"""Execute the notebooks in notebooks/ in place so that they are committed with outputs.

Usage: .venv/bin/python tools/build_notebooks.py [notebooks/NAME.ipynb ...]
nbval (in `make test`) then re-runs them and compares every output.
"""

import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient


def build(path):
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        env_dir = os.path.dirname(os.path.abspath(path))
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": env_dir}})
        os.environ.setdefault("MPLCONFIGDIR", tmp)
        client.execute()
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    paths = sys.argv[1:] or sorted(
        os.path.join("notebooks", f) for f in os.listdir("notebooks") if f.endswith(".ipynb")
    )
    for p in paths:
        build(p)
