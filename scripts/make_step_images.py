"""Make the README's pictures of the chain-rule step-through (run from the repository root).

    .venv/bin/python scripts/make_step_images.py

Writes docs/step_wxb.svg: the last backward step of f = w·x + b drawn as a frame, with its sentence.
With playwright and Debian's chromium present it also writes docs/steps_page.png and docs/quiz_page.png,
screenshots of the live page (`viz.export_html`) of f = w·x + b: after typing w = 3, and in the quiz.

Drawn with graphviz-pure when it is installed (as scripts/make_docs_images.py), because it writes the
same bytes on every machine, so the SVG only changes when the drawing does; else with Graphviz's dot.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

from viz import backends
from viz.examples import wxb
from viz.html import export_html, frame_svg
from viz.steps import backward_steps

DOCS = Path(__file__).resolve().parents[1] / "docs"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def renderer():
    """graphviz-pure when present (the same bytes everywhere), else None: whatever backends picks."""
    return "graphviz-pure" if "graphviz-pure" in backends.available() else None


def frame_picture():
    """docs/step_wxb.svg: ∂f/∂w and ∂f/∂x get local × upstream from g."""
    f = wxb()
    step = backward_steps(f)[-1]
    path = DOCS / "step_wxb.svg"
    path.write_text('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + frame_svg(f, step, renderer=renderer(), caption=True),
                    encoding="utf-8")
    return path


def page_screenshots():
    """docs/steps_page.png (wxb after typing w = 3, at its last backward step) and docs/quiz_page.png (wxb's
    quiz after one right and one wrong answer); [] when playwright or chromium is missing."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return []
    if not os.path.isfile(chromium):
        return []
    shots = [("steps_page.png", "steps", "chainrule.set('w', 3); chainrule.go(chainrule.steps)"),
             ("quiz_page.png", "quiz", "chainrule.answer(1); chainrule.answer(2)")]
    out = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for name, mode, script in shots:
            page_path = export_html(wxb(), Path(tmp) / f"{mode}.html", renderer=renderer(), mode=mode)
            page = browser.new_page(viewport={"width": 1100, "height": 560})
            page.goto(page_path.as_uri())
            page.evaluate(script)
            page.screenshot(path=str(DOCS / name))
            out.append(DOCS / name)
        browser.close()
    return out


def main():
    DOCS.mkdir(exist_ok=True)
    print(f"wrote {frame_picture()}")
    shots = page_screenshots()
    for shot in shots:
        print(f"wrote {shot}")
    if not shots:
        print("skipped docs/steps_page.png and docs/quiz_page.png: they need playwright and chromium")
    return 0


if __name__ == "__main__":
    sys.exit(main())
