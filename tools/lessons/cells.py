"""The pieces a lesson source is made of: shared code cells and per-language markdown.

A lesson source (tools/lessons/lesson_NN_*.py) defines `NAME` (the notebook's file name),
`TITLE = {"zh": ..., "en": ...}` and `CELLS`, a list built from `md`, `code` and `exercise`.
`build.py` turns it into notebooks/zh/NAME.ipynb and notebooks/en/NAME.ipynb: the code cells
are the same objects in both, so the two languages cannot drift apart.
"""

import textwrap


def _clean(text):
    return textwrap.dedent(text).strip("\n")


def md(zh, en):
    """A markdown cell, written once per language."""
    return {"cell_type": "markdown", "source": {"zh": _clean(zh), "en": _clean(en)}}


def code(source, hidden=False, tags=()):
    """A code cell, the same in both languages."""
    metadata = {}
    if hidden:
        metadata["jupyter"] = {"source_hidden": True}
    if tags:
        metadata["tags"] = list(tags)
    return {"cell_type": "code", "source": _clean(source), "metadata": metadata}


SOLUTION_NOTE = md(
    zh="<details><summary>答案</summary>答案在下面折叠起来的单元格里：先自己试，再点击单元格左边的竖条（或 <b>…</b>）展开。</details>",
    en="<details><summary>Solution</summary>The solution is in the collapsed cell below: try first, "
       "then click the bar at the cell's left (or <b>…</b>) to open it.</details>",
)


def exercise(prompt, solution):
    """An exercise: the learner's cell (ends with `tutorial.check(...)`), then the solution,
    collapsed (`jupyter.source_hidden`), which runs the same check on the right answer."""
    return [code(prompt, tags=["exercise"]), SOLUTION_NOTE,
            code(solution, hidden=True, tags=["solution"])]


def flatten(cells):
    out = []
    for cell in cells:
        out.extend(cell if isinstance(cell, list) else [cell])
    return out
