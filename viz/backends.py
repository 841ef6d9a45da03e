"""The program that lays out DOT source and draws it: Graphviz's own `dot`, or graphviz-pure.

`pipe(source, "svg")` is the one function the rest of chainrule calls. It uses Graphviz's `dot`
when it is on PATH (it is the reference, and the only one with PDF output), and otherwise the
`graphviz-pure` program that `pip install chainrule` brings along (a self-contained port of
Graphviz 16.1 with the same command line, no Python API, no PDF). Set CHAINRULE_RENDERER=dot or
CHAINRULE_RENDERER=graphviz-pure (or pass `renderer=`) to force one.

A PNG is a bitmap: a long graph at Graphviz's 96 dpi can need gigabytes. `pipe` lays the graph out first,
and when the bitmap would pass PNG_MAX_PIXELS (or PNG_MAX_SIDE pixels a side, Graphviz's own cap) it draws
it at the lower dpi that fits, with a RenderWarning saying so; SVG has no such limit.
"""
import math
import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path

__all__ = ["BACKENDS", "FORMATS", "ENV_VAR", "PNG_MAX_PIXELS", "PNG_MAX_SIDE", "RenderError", "RenderWarning",
           "available", "find_renderer", "pipe", "png_dpi"]

BACKENDS = ("dot", "graphviz-pure")  # in order of preference
FORMATS = ("svg", "png", "pdf", "dot")  # "dot" is the source itself and needs no program
ENV_VAR = "CHAINRULE_RENDERER"
_NEEDS_DOT = {"pdf"}  # graphviz-pure does not write these (yet)
PNG_DPI = 96  # Graphviz's resolution for bitmaps: 96 pixels per inch of layout
PNG_MAX_PIXELS = 40_000_000  # 160 MB of RGBA; past it a PNG is drawn at a lower dpi
PNG_MAX_SIDE = 32_767  # pixels a side, as Graphviz's dot caps bitmaps
PNG_MIN_DPI = 6  # below it a node is a few pixels: refuse, and suggest SVG
_PAD = 2 * 4 / 72  # inches: Graphviz pads the drawing by 4 points on each side


class RenderError(RuntimeError):
    """No program can draw the graph, or the program failed: the message names the fix."""


class RenderWarning(UserWarning):
    """The picture was drawn, but not as asked: a PNG scaled down to stay within PNG_MAX_PIXELS."""


def _script_dirs():
    """Where pip puts console scripts: the running interpreter's bin and the user scheme's bin.

    `.venv/bin/python` run without activating the venv has no .venv/bin on PATH, yet
    graphviz-pure lives there.
    """
    dirs = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
    try:
        dirs.append(Path(sysconfig.get_path("scripts", f"{os.name}_user")))
    except KeyError:
        pass
    return dirs


def _which(program):
    """The path of `program` on PATH or beside the Python scripts, else None."""
    found = shutil.which(program)
    if found or program == "dot":  # Graphviz's dot comes from the system, never from pip
        return found
    for folder in _script_dirs():
        found = shutil.which(program, path=str(folder))
        if found:
            return found
    return None


def available():
    """{backend name: executable path} for every backend present on this machine, preferred first."""
    found = {name: _which(name) for name in BACKENDS}
    return {name: path for name, path in found.items() if path}


def _choice(renderer):
    choice = renderer or os.environ.get(ENV_VAR) or "auto"
    if choice not in ("auto",) + BACKENDS:
        raise ValueError(f"unknown renderer {choice!r} (from {'renderer=' if renderer else ENV_VAR}): "
                         f"use one of auto, {', '.join(BACKENDS)}")
    return choice


def find_renderer(renderer=None, fmt="svg"):
    """Pick the backend for format `fmt`: returns (name, executable path).

    `renderer` is "auto" (the default, also from the CHAINRULE_RENDERER env var), "dot" or
    "graphviz-pure". Raises RenderError, naming the fix, when none fits.
    """
    choice = _choice(renderer)
    present = available()
    if choice != "auto":
        if choice not in present:
            fix = ("install Graphviz (apt-get install graphviz, brew install graphviz)" if choice == "dot"
                   else "pip install graphviz-pure")
            raise RenderError(f"renderer {choice!r} was asked for but is not installed: {fix}, "
                              f"or unset {ENV_VAR}")
        name = choice
    elif present:
        name = next(iter(present))
    else:
        raise RenderError("no Graphviz renderer found: pip install graphviz-pure (or install Graphviz's "
                          "dot); .dot output needs neither")
    if fmt in _NEEDS_DOT and name != "dot":
        raise RenderError(_needs_dot_message(fmt, name, choice, renderer, "dot" in present))
    return name, present[name]


def _needs_dot_message(fmt, name, choice, renderer, dot_present):
    """Why `name` cannot write `fmt`, and the fix: dot is missing, or another backend was forced."""
    install = "apt-get install graphviz, brew install graphviz"
    if choice == "auto":  # auto picks dot whenever it is there: so it is missing
        return f"{fmt} output needs Graphviz's dot ({install}), which is not installed; {name} writes svg and png"
    how = f"renderer={renderer!r} (--renderer {renderer})" if renderer else f"{ENV_VAR}={choice}"
    use_dot = ("renderer='dot' (--renderer dot)" if renderer else f"{ENV_VAR}=dot, or unset {ENV_VAR}")
    if not dot_present:
        use_dot += f", after installing Graphviz's dot ({install})"
    return f"{name} was chosen ({how}) and writes no {fmt}, only svg and png: use {use_dot}; or write svg or png"


def pipe(source, fmt="svg", renderer=None):
    """Lay out DOT `source` (str) and return the picture in format `fmt` as bytes.

    fmt is one of FORMATS; "dot" returns the source unchanged and needs no program.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    data = source.encode("utf-8", "backslashreplace")  # a lone surrogate becomes the text \ud800
    if fmt == "dot":
        return data
    name, exe = find_renderer(renderer, fmt)
    options = _png_options(name, exe, data) if fmt == "png" else []
    return _run(name, exe, data, fmt, options)


def _run(name, exe, data, fmt, options=()):
    """The program's output for DOT `data` in format `fmt`, or a RenderError with its message."""
    done = subprocess.run([exe, f"-T{fmt}", *options], input=data, capture_output=True)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
        raise RenderError(f"{name} failed to draw the graph: {message}")
    return done.stdout


def _layout_inches(name, exe, data):
    """(width, height) of the laid-out drawing in inches, padding included: the first line of -Tplain."""
    first = _run(name, exe, data, "plain").split(b"\n", 1)[0].split()  # graph scale width height
    scale, width, height = (float(v) for v in first[1:4])
    return width * scale + _PAD, height * scale + _PAD


def png_dpi(width, height):
    """The dpi at which a drawing of width × height inches fits the PNG budget: 96 (Graphviz's) or less."""
    by_area = math.sqrt(PNG_MAX_PIXELS / (width * height))
    by_side = PNG_MAX_SIDE / max(width, height)
    return min(PNG_DPI, 0.99 * by_area, 0.99 * by_side)  # 0.99: Graphviz rounds pixel sizes up


def _png_options(name, exe, data):
    """["-Gdpi=..."] when the PNG at 96 dpi would pass the pixel budget (with a RenderWarning), else []."""
    width, height = _layout_inches(name, exe, data)
    dpi = png_dpi(width, height)
    if dpi >= PNG_DPI:
        return []
    full = f"{width * PNG_DPI:,.0f} × {height * PNG_DPI:,.0f} px"
    if dpi < PNG_MIN_DPI:
        raise RenderError(f"a PNG of this graph would be {full}; even at {dpi:.2g} dpi it would not fit in "
                          f"{PNG_MAX_PIXELS / 1e6:g} megapixels with its nodes readable: write .svg (any size, "
                          "zoomable) or draw fewer nodes (collapse=)")
    warnings.warn(f"the PNG would be {full} at {PNG_DPI} dpi; drawn at {dpi:.3g} dpi instead "
                  f"({width * dpi:,.0f} × {height * dpi:,.0f} px) to stay within {PNG_MAX_PIXELS / 1e6:g} megapixels: "
                  "write .svg for full detail", RenderWarning, stacklevel=4)
    return [f"-Gdpi={dpi:.4g}"]
