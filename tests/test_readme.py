"""The README is a front door that tells the truth: every ```python block of it and of docs/*.md runs as written
(each on its own, in a fresh folder); a block followed by a ```text block prints exactly that; every number the
README states is one that a block prints (or a small count); every link and picture it points to exists.
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, ROOT / "docs" / "api.md", ROOT / "docs" / "lab.md"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)
# a number on its own, not part of a name like W1 or x2: 0.0126, 10,000, 7.0e-05, -2.0
NUMBER = re.compile(r"(?<![\w.\-−])[-−]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]?\d+)?(?![\w])")


def fences(path):
    """[(language, body, what follows up to the next fence)] of every fenced block in `path`, in order."""
    text = path.read_text(encoding="utf-8")
    found = list(FENCE.finditer(text))
    return [(m.group(1), m.group(2), text[m.end():found[k + 1].start()] if k + 1 < len(found) else text[m.end():])
            for k, m in enumerate(found)]


def examples(path):
    """[(python code, the text it must print or None)]: a ```text block right after a python block is its output."""
    blocks = fences(path)
    out = []
    for k, (lang, body, gap) in enumerate(blocks):
        if lang == "python":
            follows = blocks[k + 1] if k + 1 < len(blocks) else None
            printed = follows[1] if follows and follows[0] == "text" and not gap.strip() else None
            out.append((body, printed))
    return out


EXAMPLES = [(path, code, printed) for path in PAGES for code, printed in examples(path)]
README_OUTPUTS = [printed for _, printed in examples(README) if printed is not None]


def prose(path):
    """The text of `path` outside fenced blocks and inline code, plus the comments of its code blocks: what it
    states, as opposed to code it runs."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", " ", text)  # inline code: names and commands, not claims
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    comments = [line.split("#", 1)[1] for lang, body, _ in fences(path) if lang in ("python", "bash")
                for line in body.splitlines() if "#" in line]
    return text + "\n" + "\n".join(comments)


def test_readme_is_a_front_door():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for heading in ("## Two commands", "## Quickstart", "## A short tour", "## Code map"):
        assert heading in text, f"the README lost its {heading!r} section"
    assert "./run demo" in text and "./run test" in text
    assert len(README_OUTPUTS) >= 4  # the tour's examples show what they print


def test_there_are_examples_to_run():
    assert len(examples(README)) >= 5 and len(EXAMPLES) >= 10


@pytest.mark.parametrize("path, code, printed", EXAMPLES,
                         ids=[f"{path.stem}-block{k}" for k, (path, _, _) in enumerate(EXAMPLES)])
def test_block_runs_and_prints_what_the_page_says(path, code, printed, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib").use("Agg")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(path), "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    if printed is not None:
        assert out.rstrip("\n").splitlines() == printed.rstrip("\n").splitlines(), (
            f"{path.name}: the block prints something else than the text block under it:\n{out}")


def test_every_number_the_readme_states_is_printed_by_a_checked_block():
    printed = {n.replace("−", "-") for out in README_OUTPUTS for n in NUMBER.findall(out)}
    stated = NUMBER.findall(prose(README).replace("Python ≥ 3.9", ""))  # the version: checked below
    unchecked = [n for n in stated if n.replace("−", "-") not in printed and not re.fullmatch(r"[-−]?(\d|10)", n)]
    assert unchecked == [], (f"README states {unchecked}, which no checked block prints: print it from a python "
                             "block followed by a ```text block of the output, or move it to docs/")


def test_the_python_the_readme_asks_for_is_pyprojects():
    requires = re.search(r'^requires-python = ">=([\d.]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert re.search(r"Python ≥ (\d+\.\d+)", README.read_text(encoding="utf-8")).group(1) == requires


def _anchor(heading):
    """GitHub's anchor for a markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("path", PAGES + [ROOT / "CONTRIBUTING.md"], ids=lambda p: p.name)
def test_links_and_pictures_point_at_files_and_headings_that_exist(path):
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"\w+://", target):
            continue
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        assert linked.exists(), f"{path.name} links to {target}, which does not exist"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.M)
            assert anchor in {_anchor(h) for h in headings}, f"{path.name} links to {target}: no such heading"
