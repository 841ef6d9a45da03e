"""Regenerate the README's picture, docs/wxb.svg: f = w·x + b after backward().

    python scripts/make_docs_images.py

Drawn with graphviz-pure when it is installed, because it writes the same bytes on every machine
(so the file only changes when the drawing does); else with Graphviz's dot.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viz import backends, render  # noqa: E402  (after the path fix, so a plain checkout works)
from viz.examples import wxb  # noqa: E402


def main():
    f = wxb()
    f.backward()
    renderer = "graphviz-pure" if "graphviz-pure" in backends.available() else None
    path = render(f, ROOT / "docs" / "wxb.svg", renderer=renderer)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
