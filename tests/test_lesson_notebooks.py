"""The lesson series (notebooks/en, notebooks/zh): complete, twinned, current and faithful to the article.

nbval (in `make test`) re-runs the notebooks and compares their outputs; these tests check what
nbval cannot: the two languages have the same code, the notebooks match their sources in
tools/lessons/, every code block of the article appears in some lesson, and each exercise has
a collapsed solution.
"""

import ast
import re
import sys
from pathlib import Path

import pytest

from lesson_notebooks import LANGS, LESSONS, ROOT, code_cells, exercises, lesson_names, load, source

sys.path.insert(0, str(ROOT / "tools" / "lessons"))
import build  # noqa: E402  (tools/lessons/build.py)

NAMES = lesson_names()
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_eleven_lessons_in_both_languages():
    assert len(NAMES) == 11 and [n[:2] for n in NAMES] == [f"{i:02d}" for i in range(1, 12)]
    assert sorted(p.stem for p in (LESSONS / "zh").glob("*.ipynb")) == NAMES
    assert [m.NAME for m in build.lesson_sources()] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_zh_and_en_have_the_same_code_cells(name):
    zh, en = (code_cells(load(lang, name)) for lang in LANGS)
    assert [source(c) for c in zh] == [source(c) for c in en]
    assert [c["metadata"].get("tags") for c in zh] == [c["metadata"].get("tags") for c in en]
    assert [c["metadata"].get("jupyter") for c in zh] == [c["metadata"].get("jupyter") for c in en]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", LANGS)
def test_notebook_matches_its_source(lang, name):
    """A lesson edited in tools/lessons/ but not rebuilt (`make lessons`) fails here."""
    lesson = next(m for m in build.lesson_sources() if m.NAME == name)
    want = build.notebook(lesson, lang)
    got = load(lang, name)
    assert [(c["cell_type"], source(c)) for c in got["cells"]] == \
        [(c["cell_type"], source(c)) for c in want.cells]
    assert got["metadata"]["nbkeras_lesson"] == {"name": name, "language": lang}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", LANGS)
def test_committed_with_outputs_and_no_errors(lang, name):
    nb = load(lang, name)
    for cell in code_cells(nb):
        assert cell["execution_count"] is not None, source(cell)[:80]
        assert not [o for o in cell["outputs"] if o["output_type"] == "error"], source(cell)[:80]
    code = "\n".join(source(c) for c in code_cells(nb))
    if ".fit(" in code:  # every lesson that trains shows live progress somewhere
        assert "verbose=1" in code or re.search(r"\.fit\((?![^\n]*verbose=)", code), name


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("lang", LANGS)
def test_written_in_its_language(lang, name):
    text = "\n".join(source(c) for c in load(lang, name)["cells"] if c["cell_type"] == "markdown")
    han = len(HAN.findall(text))
    if lang == "zh":
        assert han > 200, f"{name}: {han} Chinese characters"
    else:  # English text quotes the article's Chinese only in passing
        assert han < 40, f"{name}: {han} Chinese characters"


@pytest.mark.parametrize("name", NAMES)
def test_each_lesson_has_an_exercise_with_a_collapsed_solution(name):
    nb = load("en", name)
    pairs = exercises(nb)
    assert pairs, name
    for prompt, solution in pairs:
        assert solution["metadata"]["jupyter"]["source_hidden"] is True
        assert "source_hidden" not in prompt["metadata"].get("jupyter", {})
        checked = [re.search(r'tutorial\.check\("(\w+)"', source(c)).group(1) for c in (prompt, solution)]
        assert checked[0] == checked[1] and checked[0].startswith(name[:2]), checked
        assert "answer = None" in source(prompt)
        cells = nb["cells"]
        assert cells.index(prompt) < cells.index(solution)


def test_readmes_list_every_lesson():
    en = (LESSONS / "README.md").read_text(encoding="utf-8")
    zh = (LESSONS / "zh" / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"(en/{name}.ipynb)" in en
        assert f"({name}.ipynb)" in zh


# --------------------------------------------------------- every article block is in a lesson
def _article_blocks():
    """The article's code blocks as tests/test_tutorial.py pastes them (corrections included):
    the lines between a `# --- block` marker and the `# --- checks` marker of each test."""
    tree = ast.parse((ROOT / "tests" / "test_tutorial.py").read_text(encoding="utf-8"))
    lines = (ROOT / "tests" / "test_tutorial.py").read_text(encoding="utf-8").splitlines()
    blocks = {}
    for fn in tree.body:
        if not (isinstance(fn, ast.FunctionDef) and fn.name.startswith("test_3_")):
            continue
        body = lines[fn.lineno:fn.end_lineno]
        start = next(i for i, s in enumerate(body) if s.strip().startswith("# --- block"))
        end = next(i for i, s in enumerate(body) if s.strip().startswith("# --- checks"))
        blocks[fn.name] = _code_lines("\n".join(body[start + 1:end]))
    return blocks


def _code_lines(text):
    """Code lines without comments, blank lines or indentation."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _is_subsequence(needle, haystack):
    it = iter(haystack)
    return all(any(line == h for h in it) for line in needle)


BLOCKS = _article_blocks()


def test_the_article_has_twelve_blocks():
    assert len(BLOCKS) == 12, sorted(BLOCKS)
    assert all(len(b) >= 1 for b in BLOCKS.values())


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_every_article_block_appears_in_a_lesson(block):
    lessons = {name: _code_lines("\n".join(source(c) for c in code_cells(load("en", name))))
               for name in NAMES}
    found = [name for name, lines in lessons.items() if _is_subsequence(BLOCKS[block], lines)]
    assert found, f"{block} is in no lesson:\n" + "\n".join(BLOCKS[block])
