"""The standalone step-through page, in a real headless Chromium (Debian's chromium, driven by playwright).

The browser tests skip when /usr/bin/chromium or playwright is missing (`./run test` installs both).
Never `playwright install`: the page needs no browser download.
"""
import os
import re
import shutil

import pytest

from autograd import Value
from viz import backends
from viz.cli import main
from viz.examples import wxb
from viz.html import export_html

CHROMIUM = os.environ.get("CHAINRULE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
XSS = "<script>alert(1)</script>"

needs_renderer = pytest.mark.skipif(not backends.available(), reason="no Graphviz renderer")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not os.path.isfile(CHROMIUM):
        pytest.skip("no chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, path):
    """The page at file://path, with every request and dialog recorded."""
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    page.set_default_timeout(10_000)
    page.requests, page.dialogs = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    return page


def shown(page):
    """(counter, sentence, DOT id of the highlighted node) of the frame on screen."""
    frame = page.locator(".frame:not([hidden])")
    assert frame.count() == 1
    return (page.inner_text("#counter"), frame.locator(".sentence").inner_text(),
            frame.locator("g.node.current > title").text_content())


@needs_renderer
def test_next_previous_and_arrow_keys_step_through(browser, tmp_path):
    path = export_html(wxb(), tmp_path / "steps.html", forward=True)
    page = open_page(browser, path)
    assert shown(page) == ("Step 1 / 7", "w = −2 (input)", "n0")
    assert page.is_disabled("#prev")

    page.click("#next")
    assert shown(page) == ("Step 2 / 7", "x = 5 (input)", "n1")
    page.keyboard.press("ArrowRight")
    assert shown(page) == ("Step 3 / 7", "g = w · x = (−2) · 5 = −10", "n2")
    page.keyboard.press("End")
    counter, sentence, node = shown(page)
    assert (counter, node) == ("Step 7 / 7", "n2")
    assert sentence == "∂f/∂w += ∂f/∂g · ∂g/∂w = 1 · 5 = 5; ∂f/∂x += ∂f/∂g · ∂g/∂x = 1 · (−2) = −2"
    assert page.is_disabled("#next")
    page.keyboard.press("ArrowRight")  # nothing after the last step
    assert shown(page)[0] == "Step 7 / 7"
    page.keyboard.press("ArrowLeft")
    assert shown(page) == ("Step 6 / 7", "∂f/∂g += ∂f/∂f · ∂f/∂g = 1 · 1 = 1; ∂f/∂b += ∂f/∂f · ∂f/∂b = 1 · 1 = 1",
                           "n4")
    page.click("#prev")
    assert shown(page)[0] == "Step 5 / 7"
    # the last frame's picture: x holds −2, its edge carries local × upstream
    last = page.locator(".frame").nth(6)
    assert "(−2) × 1 = −2" in last.locator("g.edge text").all_text_contents()
    assert [page.requests, page.dialogs] == [[path.as_uri()], []]  # nothing fetched but the page itself


@needs_renderer
def test_a_script_label_shows_as_text(browser, tmp_path):
    x = Value(2.0, XSS)
    y = x * 3.0
    y.label = "y"
    path = export_html(y, tmp_path / "xss.html", title=XSS)
    assert XSS not in path.read_text()
    page = open_page(browser, path)
    counter, sentence, node = shown(page)
    assert sentence == f"∂y/∂({XSS}) += ∂y/∂y · ∂y/∂({XSS}) = 1 · 3 = 3; ∂y/∂n1 += ∂y/∂y · ∂y/∂n1 = 1 · 2 = 2"
    assert XSS in page.locator(".frame:not([hidden]) g.node text").all_text_contents()
    assert page.title() == XSS and XSS in page.inner_text("h1")
    assert page.evaluate("document.querySelectorAll('script').length") == 1  # only the page's own
    assert page.dialogs == []


@needs_renderer
def test_page_is_self_contained(tmp_path):
    text = export_html(wxb(), tmp_path / "steps.html").read_text()
    assert text.count("<svg") == 2 and "Step 1 / 2" in text
    assert not re.search(r"<(link|img|iframe)\b|<script[^>]*\bsrc=|@import|url\(\s*['\"]?http", text)
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids))  # every frame's SVG ids are prefixed


@needs_renderer
def test_cli_writes_the_page(tmp_path, capsys):
    out = tmp_path / "sub" / "steps.html"
    assert main(["html", "sigmoid_chain", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    text = out.read_text()
    assert text.count('<section class="frame"') == 4 and "Step 1 / 4" in text


def test_cli_bad_example_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["html", "nope", "-o", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no example named 'nope'" in err
    assert not (tmp_path / "x.html").exists()
