"""page.py - reading the pages of `assay report` and `assay diff` in the tests: headless
Chromium (Debian's) for the DOM after rendering and for a screenshot, html5lib for a strict
parse and for walking the DOM, and the checks every page must pass (no script, no handler,
nothing fetched).
"""

import os
import shutil
import subprocess
import tempfile

import html5lib

import png

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium():
    """The chromium executable, or None."""
    return shutil.which(os.environ.get("CHROMIUM", "chromium"))


def _run_chromium(args):
    with tempfile.TemporaryDirectory(prefix="assay-chromium-") as profile:
        env = dict(os.environ, HOME=profile)
        return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                               *args], capture_output=True, timeout=180, env=env,
                              check=False)


def dump_dom(path):
    """The DOM Chromium builds from the file, serialised."""
    out = _run_chromium(["--dump-dom", "file://" + os.path.abspath(path)])
    return out.stdout.decode("utf-8")


def screenshot(path, png_path, size="1000,800"):
    """Renders the file to png_path; returns (width, height, distinct colours)."""
    _run_chromium([f"--screenshot={png_path}", f"--window-size={size}",
                   "file://" + os.path.abspath(path)])
    with open(png_path, "rb") as f:
        w, h, channels, rows = png.decode(f.read())
    return w, h, png.colours(rows, channels)


def strict_errors(data):
    """None when html5lib's strict parser accepts the bytes, else its message."""
    try:
        html5lib.HTMLParser(strict=True).parse(data)
        return None
    except Exception as e:  # html5lib raises ParseError with the first problem
        return str(e)


def parse(text):
    """An ElementTree of the document, without namespaces on HTML elements."""
    return html5lib.parse(text, namespaceHTMLElements=False)


def text(el):
    return "".join(el.itertext())


def find_all(root, tag=None, **attrs):
    """Elements with that tag (any when None) and every attribute equal (data_f= for
    data-f)."""
    want = {k.replace("_", "-"): v for k, v in attrs.items()}
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = el.tag.split("}")[-1]
        if tag is not None and name != tag:
            continue
        if all(el.get(k) == v for k, v in want.items()):
            out.append(el)
    return out


def cell(row, figure):
    """The text of the cell with data-f=figure inside row, or None."""
    found = find_all(row, data_f=figure)
    return text(found[0]) if found else None


def unsafe(root):
    """What a page must not hold: script elements, event handler attributes, elements that
    fetch (img, iframe, object, embed, link, script src), non-fragment links, and CSS that
    fetches. Returns a list of findings (empty when clean)."""
    bad = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = el.tag.split("}")[-1].lower()
        if name in ("script", "img", "iframe", "object", "embed", "link", "base", "form",
                    "image", "foreignobject", "use"):
            bad.append(f"<{name}> element")
        for k, v in el.attrib.items():
            key = k.split("}")[-1].lower()
            if key.startswith("on"):
                bad.append(f"{key} handler on <{name}>")
            if key in ("src", "srcset", "action", "formaction", "background", "poster"):
                bad.append(f"{key} on <{name}>")
            if key in ("href", "xlink:href") and not v.startswith("#"):
                bad.append(f"link {v!r} on <{name}>")
            if key == "style" and ("url(" in v or "@import" in v):
                bad.append(f"style fetching on <{name}>")
        if name == "style" and ("url(" in text(el) or "@import" in text(el)):
            bad.append("stylesheet fetching")
    return bad


def csp(root):
    """The content of the Content-Security-Policy meta, or None."""
    for el in find_all(root, "meta"):
        if (el.get("http-equiv") or "").lower() == "content-security-policy":
            return el.get("content")
    return None
