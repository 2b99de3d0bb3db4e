"""A briefing every reader can use: the HTML's structure and names, the PDF's tags, metadata,
bookmarks and text. Most checks read the small demo project's briefing (built once for the
module); the real baseline briefing is checked where only its richer content shows a problem."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pdftext
import pytest
from projects import make_project, run_here
from pypdf import PdfReader

pytestmark = pytest.mark.slow

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
#: A name that only counts ("Figure 3", "Chart", "image 2") says nothing about the figure.
PLACEHOLDER_NAME = re.compile(r"^\s*(figure|fig\.?|chart|image|graph|table)?\s*\d*\.?\s*$", re.I)


@dataclass
class Heading:
    level: int
    id: str | None
    text: str = ""


@dataclass
class Page:
    """What the accessibility checks need from one HTML document."""

    lang: str | None = None
    title: str = ""
    headings: list[Heading] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (href, class, text)
    #: every figure image: (tag, accessible name)
    images: list[tuple[str, str]] = field(default_factory=list)
    #: per <table>: number of th cells
    tables: list[int] = field(default_factory=list)
    #: per <nav>: its label (aria-label, or the text of the element aria-labelledby names)
    navs: list[tuple[str | None, str | None]] = field(default_factory=list)
    toc_links: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self._text_into: list[list[str]] = []  # open collectors (headings, links, title)
        self._heading: Heading | None = None
        self._link: list | None = None
        self._in_title = False

    def _named_image_ancestor(self) -> str | None:
        for _, attrs in reversed(self.stack):
            if attrs.get("role") == "img":
                return attrs.get("aria-label") or ""
        return None

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = dict(attrs_list)
        p = self.page
        if attrs.get("id"):
            p.ids.add(attrs["id"])
        if tag == "html":
            p.lang = attrs.get("lang")
        elif tag == "title" and not self.stack_has("svg"):
            self._in_title = True
        elif tag == "meta" and attrs.get("name"):
            p.meta[attrs["name"]] = attrs.get("content") or ""
        elif re.fullmatch(r"h[1-6]", tag) and not self.stack_has("svg"):
            self._heading = Heading(int(tag[1]), attrs.get("id"))
        elif tag == "a" and attrs.get("href"):
            self._link = [attrs["href"], attrs.get("class") or "", ""]
            if self.stack_has("nav", cls="rb-toc"):
                p.toc_links.append(attrs["href"])
        elif tag == "img":
            p.images.append(("img", attrs.get("alt") or ""))
        elif tag == "svg" and not self.stack_has("svg"):
            name = self._named_image_ancestor()
            if name is None:
                name = attrs.get("aria-label") or ""
            p.images.append(("svg", name))
        elif tag == "table":
            p.tables.append(0)
        elif tag == "th" and p.tables:
            p.tables[-1] += 1
        elif tag == "nav":
            p.navs.append((attrs.get("aria-label"), attrs.get("aria-labelledby")))
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs_list) -> None:
        self.handle_starttag(tag, attrs_list)
        if tag not in VOID:
            self.handle_endtag(tag)

    def stack_has(self, tag: str, cls: str | None = None) -> bool:
        return any(
            t == tag and (cls is None or cls in (a.get("class") or "").split())
            for t, a in self.stack
        )

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self._heading.text = " ".join(self._heading.text.split())
            self.page.headings.append(self._heading)
            self._heading = None
        elif tag == "a" and self._link is not None:
            self.page.links.append((self._link[0], self._link[1], " ".join(self._link[2].split())))
            self._link = None
        elif tag == "title":
            self._in_title = False
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.text += data
        if self._link is not None:
            self._link[2] += data
        if self._in_title:
            self.page.title += data


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page


def heading_problems(headings: list[Heading]) -> list[str]:
    """Skipped levels (h2 then h4), a first heading that is not h1, more than one h1."""
    problems = []
    if not headings or headings[0].level != 1:
        problems.append("the document does not start with an h1")
    if sum(h.level == 1 for h in headings) != 1:
        problems.append(f"{sum(h.level == 1 for h in headings)} h1 elements, expected one")
    for prev, h in itertools.pairwise(headings):
        if h.level > prev.level + 1:
            problems.append(f"h{prev.level} '{prev.text}' is followed by h{h.level} '{h.text}'")
    return problems


def check_html(html: str) -> list[str]:
    """Every accessibility problem the checks find in one briefing's HTML."""
    page = parse(html)
    problems = []
    if not (page.lang or "").strip():
        problems.append("no lang on <html>")
    if not page.title.strip():
        problems.append("no <title>")
    problems += heading_problems(page.headings)
    for tag, name in page.images:
        if not name.strip():
            problems.append(f"<{tag}> without alt text or accessible name")
        elif PLACEHOLDER_NAME.match(name):
            problems.append(f"<{tag}> named only {name!r}")
    for i, ths in enumerate(page.tables, 1):
        if ths == 0:
            problems.append(f"table {i} has no header cells")
    skip = [href for href, cls, _ in page.links if "rb-skip" in cls.split()]
    if not skip:
        problems.append("no skip-to-content link")
    elif skip[0].lstrip("#") not in page.ids:
        problems.append(f"the skip link's target {skip[0]} does not exist")
    if not page.toc_links:
        problems.append("no contents links")
    for href in page.toc_links:
        if not href.startswith("#") or href[1:] not in page.ids:
            problems.append(f"contents link {href} leads nowhere")
    for label, labelledby in page.navs:
        if not (label or (labelledby and labelledby in page.ids)):
            problems.append("a <nav> without a label")
    for href, _, _ in page.links:
        if href.startswith("#") and href[1:] not in page.ids:
            problems.append(f"link {href} leads nowhere")
    return problems


# ---------------------------------------------------------------------------------------------
# the checker itself catches what it must


def test_checker_finds_the_problems_it_is_for() -> None:
    bad = """<!DOCTYPE html><html><head><title>x</title></head><body>
    <h2 id="a">No h1 first</h2><h4 id="b">skipped</h4>
    <div role="img" aria-label="Figure 3"><svg></svg></div><img src="data:," alt="">
    <svg><text>unnamed</text></svg>
    <table><tr><td>1</td></tr></table><nav><a href="#nowhere">x</a></nav>
    </body></html>"""
    problems = "\n".join(check_html(bad))
    for expected in (
        "no lang",
        "does not start with an h1",
        "0 h1 elements",
        "h2 'No h1 first' is followed by h4",
        "named only 'Figure 3'",
        "<img> without alt",
        "<svg> without alt",
        "table 1 has no header cells",
        "no skip-to-content link",
        "a <nav> without a label",
        "link #nowhere leads nowhere",
    ):
        assert expected in problems, expected


# ---------------------------------------------------------------------------------------------
# the demo briefing (small, fast): HTML and PDF


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("a11y") / "project")
    run_here(root, "build", "demo", check=True)
    return root / "reports" / "demo" / "v1"


def test_demo_html_passes_the_accessibility_checks(demo: Path) -> None:
    html = (demo / "demo-v1.html").read_text(encoding="utf-8")
    assert check_html(html) == []
    page = parse(html)
    assert page.lang == "en"
    assert [h.level for h in page.headings if h.level == 1] == [1]
    # the figure is named by its generated alt text, which says what it shows and finds
    assert ("svg", "Bar chart of 2 values; total 8.") in page.images
    # the contents is a labelled landmark whose links reach every section heading
    assert (None, "contents-heading") in page.navs
    sections = {h.id for h in page.headings if h.level == 2 and h.id != "contents-heading"}
    assert sections <= {href[1:] for href in page.toc_links}


def test_demo_figures_carry_their_alt_text_into_the_svg(demo: Path) -> None:
    # WeasyPrint takes a tagged Figure's /Alt from the SVG's <title>
    html = (demo / "demo-v1.html").read_text(encoding="utf-8")
    assert re.search(r"<svg\b[^>]*>\s*<title>Bar chart of 2 values; total 8\.</title>", html)


def _struct_elements(reader: PdfReader) -> list[dict]:
    out: list[dict] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for k in node:
                walk(k)
            return
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            out.append(node)
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return out


def _outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(" ".join(item.title.split()))

    walk(reader.outline)
    return titles


def test_demo_pdf_is_tagged_with_metadata_and_language(demo: Path) -> None:
    reader = PdfReader(demo / "demo-v1.pdf")
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    meta = reader.metadata
    assert meta.title.startswith("Demo briefing")
    assert meta.author  # the issuing team
    assert meta.subject == "A test briefing"
    roles = [e["/S"] for e in _struct_elements(reader)]
    assert roles.count("/H1") == 1 and "/H2" in roles and "/Table" in roles and "/TH" in roles
    figures = [e for e in _struct_elements(reader) if e["/S"] == "/Figure"]
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
    assert "Bar chart of 2 values; total 8." in [str(f["/Alt"]) for f in figures]


def test_demo_pdf_has_a_bookmark_for_every_section_heading(demo: Path) -> None:
    html = (demo / "demo-v1.html").read_text(encoding="utf-8")
    headings = [h.text for h in parse(html).headings if h.level in (2, 3)]
    titles = _outline_titles(PdfReader(demo / "demo-v1.pdf"))
    assert headings and headings == [t for t in titles if t in headings]
    assert set(headings) <= set(titles)


def test_demo_pdf_text_is_extractable_in_reading_order(demo: Path) -> None:
    reader = PdfReader(demo / "demo-v1.pdf")
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    order = [
        "Demo briefing",
        "Key judgments",
        "The values add up to 8.",
        "Chart section",
        "An analyst's introduction.",
        "Notes section",
        "Some notes for readers.",
    ]
    pos = -1
    for phrase in order:  # each after the one before (the contents repeats section names)
        found = text.find(phrase, pos + 1)
        assert found > pos, f"{phrase!r} missing or out of reading order"
        pos = found


# ---------------------------------------------------------------------------------------------
# the real baseline briefing: many figures, tables, headings and cross-references


@pytest.fixture(scope="module")
def baseline(real_reports: Path) -> Path:
    """The baseline briefing's first version, from the one build of the real briefings."""
    return real_reports / "baseline" / "v1"


def test_baseline_html_passes_the_accessibility_checks(baseline: Path) -> None:
    html = (baseline / "baseline-v1.html").read_text(encoding="utf-8")
    assert check_html(html) == []
    page = parse(html)
    names = [name for tag, name in page.images if tag == "svg"]
    assert len(names) >= 10
    assert len(set(names)) == len(names)  # every figure says something of its own
    assert all(len(n.split()) >= 12 for n in names)  # what it shows and what it finds


def test_baseline_pdf_never_leaves_a_heading_at_the_foot_of_a_page(baseline: Path) -> None:
    reader = PdfReader(baseline / "baseline-v1.pdf")
    bottom_margin = 22 / 25.4 * 72  # @page margin, in points
    stranded = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            elif item.top is not None and float(item.top) < bottom_margin + 30:
                stranded.append((item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    assert not stranded, f"headings with no room for text below them: {stranded}"


def test_baseline_pdf_bookmarks_figures_and_reading_order(baseline: Path) -> None:
    reader = PdfReader(baseline / "baseline-v1.pdf")
    html = (baseline / "baseline-v1.html").read_text(encoding="utf-8")
    headings = [h.text for h in parse(html).headings if h.level in (2, 3)]
    titles = _outline_titles(reader)
    missing = [h for h in headings if h not in titles]
    assert not missing
    figures = [e for e in _struct_elements(reader) if e["/S"] == "/Figure"]
    assert len(figures) >= 10 and all(len(str(f.get("/Alt", "")).split()) >= 12 for f in figures)
    text = " ".join(" ".join(t.split()) for t in pdftext.texts(baseline / "baseline-v1.pdf"))
    manifest = json.loads((baseline / "manifest.json").read_text(encoding="utf-8"))
    # the sections before the contents (the summary) come first, the key judgments in order
    # inside them, right after their heading ...
    h2 = [h for h in parse(html).headings if h.level == 2]
    toc = [h.id for h in h2].index("contents-heading")
    before, after = [h.text for h in h2[:toc]], [h.text for h in h2[toc + 1 :]]
    assert before and after
    pos = -1
    for heading in before:
        found = text.find(heading, pos + 1)
        assert found > pos, f"{heading!r} out of reading order"
        pos = found
    pos = text.find("Key judgments", pos)
    assert pos > 0
    for judgment in manifest["key_judgments"]:
        found = text.find(" ".join(judgment.split())[:40], pos)
        assert found > pos, judgment
        pos = found
    # ... then the contents, then every other section in order (searched from the contents'
    # last entry)
    pos = text.find("Contents", pos)
    assert pos > 0
    pos = text.find(after[-1], pos)
    assert pos > 0
    for heading in after:
        found = text.find(heading, pos + 1)
        assert found > pos, f"{heading!r} out of reading order"
        pos = found
