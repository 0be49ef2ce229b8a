"""Reading the lesson notebooks (notebooks/en, notebooks/zh) for the tests."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "notebooks"
LANGS = ("zh", "en")


def lesson_names():
    """The lesson file names (without .ipynb) of the English series, in order."""
    return sorted(p.stem for p in (LESSONS / "en").glob("*.ipynb"))


def load(lang, name):
    return json.loads((LESSONS / lang / f"{name}.ipynb").read_text(encoding="utf-8"))


def source(cell):
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def tagged(nb, tag):
    return [c for c in code_cells(nb) if tag in c["metadata"].get("tags", [])]


def exercises(nb):
    """(prompt, solution) code-cell pairs, in order."""
    return list(zip(tagged(nb, "exercise"), tagged(nb, "solution")))
