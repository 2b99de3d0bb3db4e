"""The briefing typeface comes from the project's dependencies and is used everywhere: HTML
(embedded), PDF (embedded by WeasyPrint) and charts (matplotlib)."""

from __future__ import annotations

import base64
import re

import matplotlib as mpl
import nbformat
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from nbformat.v4 import new_markdown_cell, new_notebook
from pypdf import PdfReader

from riskbrief import fonts, render
from riskbrief.charts import FONT_FAMILY, new_figure
from riskbrief.display import figure_svg

FACE = re.compile(
    r'@font-face \{ font-family: "(?P<family>[^"]+)"; font-weight: (?P<weight>\d+); '
    r"font-style: (?P<style>\w+);[^}]*src: url\(data:(?P<mime>[\w/+-]+);base64,(?P<data>[A-Za-z0-9+/=]+)\)"
)


def test_the_font_files_are_installed_with_their_licence() -> None:
    faces = fonts.faces()
    assert {(f.weight, f.style) for f in faces} == {
        (400, "normal"),
        (700, "normal"),
        (400, "italic"),
        (700, "italic"),
    }
    for face in faces:
        assert face.path.suffix == ".ttf" and face.path.is_file()
        with TTFont(face.path, lazy=True) as font:
            assert font["name"].getDebugName(1) == fonts.FAMILY
    assert "SIL Open Font License" in fonts.licence_path().read_text(encoding="utf-8")


def test_the_typeface_covers_the_briefings_characters() -> None:
    regular = next(f for f in fonts.faces() if (f.weight, f.style) == (400, "normal"))
    have = fonts.covered(regular.path)
    # en and em dashes, typographic quotes, times, mu, dagger, minus: all in the briefings' text
    assert {ord(c) for c in "–—“”‘’×μ†−%"} <= have


def test_font_face_css_embeds_every_face_as_a_data_uri() -> None:
    css = fonts.font_face_css()
    faces = [m.groupdict() for m in FACE.finditer(css)]
    atkinson = {(f["weight"], f["style"]) for f in faces if f["family"] == fonts.FAMILY}
    assert atkinson == {("400", "normal"), ("700", "normal"), ("400", "italic"), ("700", "italic")}
    assert {f["family"] for f in faces} == {fonts.FAMILY, fonts.SYMBOLS_FAMILY, fonts.MONO_FAMILY}
    for f in faces:
        data = base64.b64decode(f["data"])
        assert f["mime"] == "font/woff2" and data[:4] == b"wOF2"
    # small enough to embed in every briefing: under 200 KB of base64 in all
    assert len(css) < 200_000
    # the symbols fallback supplies what the typeface lacks, e.g. the arrow of "v1 → v2"
    assert ord("→") not in fonts.covered(fonts.faces()[0].path)


def test_font_face_css_is_reproducible(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Computed twice, the rules are the same bytes; the copy kept in the cache folder is what
    computing them gives, and is what the next process reads."""
    first = fonts._build_font_face_css()
    assert fonts._build_font_face_css() == first
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fonts.font_face_css.cache_clear()
    try:
        assert fonts.font_face_css() == first
        (kept,) = (tmp_path / "riskbrief").glob("font-face-*.css")
        assert kept.read_text(encoding="utf-8") == first
        fonts.font_face_css.cache_clear()
        assert fonts.font_face_css() == first  # read back
    finally:
        fonts.font_face_css.cache_clear()


def test_missing_font_package_warns_and_still_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "FONT_PACKAGE", "no_such_font_package")
    fonts.font_face_css.cache_clear()
    try:
        with pytest.warns(fonts.FontWarning, match="not installed"):
            css = fonts.font_face_css()
        assert "@font-face {" not in css
        assert fonts.register_matplotlib() is False
        nb = new_notebook(cells=[new_markdown_cell("## Section {#s}\n\nText.")])
        with pytest.warns(fonts.FontWarning):
            fonts.font_face_css.cache_clear()
            html = render.notebook_to_html(nb)
        assert "Text." in html and "@font-face {" not in html
    finally:
        fonts.font_face_css.cache_clear()


def test_html_uses_the_embedded_family() -> None:
    nb = new_notebook(cells=[new_markdown_cell("## Section {#s}\n\nText.")])
    html = render.notebook_to_html(nb)
    assert html.count("@font-face {") == 6
    assert re.search(r'--rb-font:\s*"Atkinson Hyperlegible"', html)
    assert "font/woff2;base64," in html


def test_charts_use_the_typeface() -> None:
    fig, ax = new_figure(3, 2)
    ax.set_title("Bold title")
    ax.plot([0, 1], [0, 1])
    found = font_manager.findfont(font_manager.FontProperties(family=FONT_FAMILY, weight="bold"))
    assert "AtkinsonHyperlegible-Bold" in found
    assert mpl.rcParams["font.sans-serif"][0] == fonts.FAMILY
    svg = figure_svg(fig, "font-test")
    assert "font-family: 'Atkinson Hyperlegible'" in svg.replace('"', "'")
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_pdf_embeds_the_typeface(tmp_path) -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell("## Section {#s}\n\nText in *italic* and **bold**, `code` → next.")
        ]
    )
    nb.metadata["riskbrief"] = {"title": "Font test", "lang": "en"}
    nbformat.validate(nb)
    out = render.render_nbconvert(nb, tmp_path, "fonts")
    reader = PdfReader(out.pdf)
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    assert {
        "Atkinson-Hyperlegible",
        "Atkinson-Hyperlegible-Bold",
        "Atkinson-Hyperlegible-Italic",
    } <= names
    assert "Briefing-Mono" in names
    # the arrow comes from the embedded symbols subset, not from whatever the machine has
    assert "Briefing-Symbols" in names
    text = "".join(page.extract_text() for page in reader.pages)
    assert "italic" in text and "→" in text
