"""Make the README's pictures of the chain-rule step-through (run from the repository root).

    .venv/bin/python scripts/make_step_images.py

Writes docs/step_wxb.svg: the last backward step of f = w·x + b drawn as a frame, with its sentence.
With playwright and Debian's chromium present it also writes docs/steps_page.png, a screenshot of the
standalone page (`viz.export_html`) at step 3 of the composed sigmoid.

Drawn with graphviz-pure when it is installed (as scripts/make_docs_images.py), because it writes the
same bytes on every machine, so the SVG only changes when the drawing does; else with Graphviz's dot.
"""
import os
import shutil
import sys
import tempfile
from pathlib import Path

from viz import backends
from viz.examples import sigmoid_chain, wxb
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


def page_screenshot():
    """docs/steps_page.png, or None when playwright or chromium is missing."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not os.path.isfile(chromium):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        page_path = export_html(sigmoid_chain(), Path(tmp) / "steps.html", renderer=renderer())
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 480})
            page.goto(page_path.as_uri())
            page.evaluate("chainrule.go(3)")  # the live page (viz/page): it fits the graph to its width
            out = DOCS / "steps_page.png"
            page.screenshot(path=str(out))
            browser.close()
    return out


def main():
    DOCS.mkdir(exist_ok=True)
    print(f"wrote {frame_picture()}")
    shot = page_screenshot()
    print(f"wrote {shot}" if shot else "skipped docs/steps_page.png: needs playwright and chromium")
    return 0


if __name__ == "__main__":
    sys.exit(main())
