"""Write the lesson notebooks from tools/lessons/lesson_*.py, in Chinese and English, and run them.

Usage (from the repository root; `make lessons` does this):
    python tools/lessons/build.py            # write and execute all lessons, both languages
    python tools/lessons/build.py 03 08      # only lessons 03 and 08
    python tools/lessons/build.py --no-run   # write without executing (outputs are lost)

The notebooks are committed with their outputs; nbval (in `make test`) re-runs them.
"""

import importlib.util
import os
import sys

import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

from cells import flatten  # noqa: E402

LANGS = ("zh", "en")


def lesson_sources():
    """The lesson modules, in lesson order."""
    names = sorted(f for f in os.listdir(HERE) if f.startswith("lesson_") and f.endswith(".py"))
    modules = []
    for name in names:
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def notebook(lesson, lang):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "nbkeras_lesson": {"name": lesson.NAME, "language": lang},
    }
    title = nbformat.v4.new_markdown_cell(f"# {lesson.TITLE[lang]}")
    nb.cells.append(title)
    for cell in flatten(lesson.CELLS):
        if cell["cell_type"] == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell["source"][lang]))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(cell["source"], metadata=dict(cell["metadata"])))
    for i, cell in enumerate(nb.cells):  # stable ids: rebuilding gives the same file
        cell["id"] = f"{lesson.NAME[:2]}-{i:02d}"
    return nb


def path(lesson, lang):
    return os.path.join(ROOT, "notebooks", lang, lesson.NAME + ".ipynb")


def main(argv):
    run = "--no-run" not in argv
    wanted = [a for a in argv if not a.startswith("--")]
    from build_notebooks import build

    for lesson in lesson_sources():
        if wanted and lesson.NAME[:2] not in wanted:
            continue
        for lang in LANGS:
            target = path(lesson, lang)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            nbformat.write(notebook(lesson, lang), target)
            if run:
                build(target)
            else:
                print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
