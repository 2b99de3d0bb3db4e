"""Charts inlined in one HTML document never share an id: each SVG's ids start with its
figure's key, every reference inside it follows, and it carries no RDF metadata. Unit tests of
the SVG export, then a demo briefing with three charts built end to end."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from projects import COMMON, make_project, notebook, run_here, write_params

from riskbrief.charts import new_figure
from riskbrief.display import figure_svg, scope_svg_ids

mpl.use("Agg")

TAG = re.compile(r"<[^>]+>")
ID = re.compile(r'\sid="([^"]+)"')
#: every way an SVG refers to an id: url(#…) in attributes and CSS, href and xlink:href
REF = re.compile(r"""url\(\s*["']?#([^"')\s]+)|[\s:]href="#([^"]+)\"""")


def ids(svg: str) -> list[str]:
    """The ids the SVG's elements carry (not text that looks like one)."""
    return [i for tag in TAG.findall(svg) for i in ID.findall(tag)]


def refs(svg: str) -> set[str]:
    return {a or b for a, b in REF.findall(svg)}


def busy_figure():
    """A chart that makes matplotlib write every kind of id reference: clip paths (bars, lines,
    images), markers reused through <use xlink:href>, hatch patterns, a legend."""
    fig, ax = new_figure(5, 3)
    x = np.arange(5)
    ax.bar(x, [3, 1, 4, 1, 5], hatch="//", label="bars")
    ax.plot(x, [2, 3, 2, 3, 2], marker="o", label="line")
    ax.imshow([[0, 1], [1, 0]], extent=(3, 4, 4, 5))
    ax.legend()
    return fig


# ---------------------------------------------------------------------------------------------
# the SVG export


def test_every_id_starts_with_the_key_and_every_reference_follows() -> None:
    svg = figure_svg(busy_figure(), "risk-heatmap")
    found = ids(svg)
    assert len(found) > 20
    assert all(i.startswith("risk-heatmap-") for i in found), [
        i for i in found if not i.startswith("risk-heatmap-")
    ]
    assert len(set(found)) == len(found)
    used = refs(svg)
    # clip paths, the marker <use>s and the hatch pattern are all referenced
    assert len(used) >= 3
    assert used <= set(found), used - set(found)
    assert re.search(r'clip-path="url\(#risk-heatmap-p[0-9a-f]+\)"', svg)
    assert re.search(r'xlink:href="#risk-heatmap-m[0-9a-f]+"', svg)
    assert re.search(r"fill: url\(#risk-heatmap-h[0-9a-f]+\)", svg)


def test_two_charts_share_no_id() -> None:
    a, b = figure_svg(busy_figure(), "chart-a"), figure_svg(busy_figure(), "chart-b")
    assert not set(ids(a)) & set(ids(b))


def test_no_rdf_metadata_in_the_svg() -> None:
    svg = figure_svg(busy_figure(), "k")
    assert svg.startswith("<svg ")
    for absent in ("<metadata", "rdf:", "dc:", "cc:", "Matplotlib v", "purl.org"):
        assert absent not in svg


def test_identical_figures_give_identical_bytes_whatever_the_build_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = figure_svg(busy_figure(), "k")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert figure_svg(busy_figure(), "k") == first
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert figure_svg(busy_figure(), "k") == first


def test_a_key_that_is_not_a_valid_id_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        figure_svg(busy_figure(), "Risk heatmap")


def test_scoping_rewrites_references_in_attributes_and_css_but_not_text() -> None:
    svg = (
        '<svg><style type="text/css">#a { fill: url(#b); stroke: #aabbcc }'
        " @media print { #b { fill: #fff } } #elsewhere { fill: red }</style>"
        '<g id="a" clip-path="url(#b)" style="mask: url(&quot;#b&quot;); marker-end: url(\'#b\')">'
        '<use xlink:href="#b"/><use href="#b"/><a href="#elsewhere">x</a>'
        '<text>url(#a) and id="a" are text</text></g><clipPath id="b"/></svg>'
    )
    out = scope_svg_ids(svg, "k-")
    assert ids(out) == ["k-a", "k-b"]
    assert "#k-a { fill: url(#k-b); stroke: #aabbcc }" in out  # colours are not ids
    assert "@media print { #k-b { fill: #fff } }" in out
    assert "#elsewhere { fill: red }" in out and 'href="#elsewhere"' in out  # not defined here
    assert 'clip-path="url(#k-b)"' in out
    assert "mask: url(&quot;#k-b&quot;); marker-end: url('#k-b')" in out
    assert out.count('href="#k-b"') == 2
    assert '<text>url(#a) and id="a" are text</text>' in out
    assert scope_svg_ids("<svg><text>no ids</text></svg>", "k-") == "<svg><text>no ids</text></svg>"


# ---------------------------------------------------------------------------------------------
# a briefing with three charts


class _Ids(HTMLParser):
    """Every id in an HTML document, every #fragment it refers to, and each inline SVG's ids
    and references (keyed by the id of the <figure> around it)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.refs: set[str] = set()
        self.figures: dict[str, tuple[list[str], set[str]]] = {}
        self._figure: str | None = None
        self._svg_depth = 0

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = dict(attrs_list)
        if tag == "figure" and "rb-figure" in (attrs.get("class") or ""):
            self._figure = attrs.get("id")
            self.figures[self._figure] = ([], set())
        if tag == "svg":
            self._svg_depth += 1
        targets = {m for v in attrs.values() if v for m in re.findall(r"url\(#([^)]+)\)", v)}
        for name in ("href", "xlink:href"):
            if (attrs.get(name) or "").startswith("#"):
                targets.add(attrs[name][1:])
        self.refs |= targets
        if self._svg_depth and self._figure:
            self.figures[self._figure][1].update(targets)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
            if self._svg_depth and self._figure:
                self.figures[self._figure][0].append(attrs["id"])

    def handle_startendtag(self, tag: str, attrs_list) -> None:
        self.handle_starttag(tag, attrs_list)
        if tag == "svg":
            self._svg_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg_depth -= 1
        elif tag == "figure":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._svg_depth and self._figure:
            for m in re.findall(r"url\(#([^)]+)\)", data):  # CSS in the SVG's <style>
                self.figures[self._figure][1].add(m)


KEYS = ("chart-bars", "trends-lines", "trends-bars")


@pytest.fixture(scope="module")
def three_charts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project's briefing with a second section of two more charts: three in all."""
    root = make_project(tmp_path_factory.mktemp("svg-ids") / "project")
    notebook(
        root / "notebooks" / "trends.ipynb",
        "## Trends section",
        COMMON,
        [
            """
            import numpy as np
            from riskbrief.charts import new_figure
            from riskbrief.display import show_figure
            from riskbrief.results import write_results
            """,
            """
            x = np.arange(6)
            fig, ax = new_figure(5, 3)
            ax.plot(x, x**2, marker="o", label="squares")
            ax.plot(x, 3 * x, marker="s", label="triples")
            ax.legend()
            show_figure(fig, key="trends-lines", caption="Two series.",
                        alt="Line chart of squares and triples of 0 to 5; squares overtake at 3.",
                        source="computed")
            fig, ax = new_figure(5, 3)
            ax.bar(x, x + 1, hatch="//")
            ax.imshow([[0, 1], [1, 0]], extent=(0, 1, 4, 5))
            show_figure(fig, key="trends-bars", caption="Counts.",
                        alt="Bar chart of six counts rising from 1 to 6.", source="computed")
            write_results(results_path, section="trends", headline={}, key_judgments=[])
            """,
        ],
    )
    write_params(root, "demo", sections="[chart, trends, notes]")
    run_here(root, "build", "demo", check=True)
    return root / "reports" / "demo" / "v1" / "demo-v1.html"


def test_a_briefing_with_three_charts_repeats_no_id(three_charts: Path) -> None:
    page = _Ids()
    page.feed(three_charts.read_text(encoding="utf-8"))
    page.close()
    assert len(page.figures) == 3
    repeated = {i: n for i, n in Counter(page.ids).items() if n > 1}
    assert not repeated, f"ids used more than once: {repeated}"
    # every #fragment in the document leads to an element
    assert page.refs <= set(page.ids), page.refs - set(page.ids)
    keys = []
    for figure_id, (svg_ids, svg_refs) in page.figures.items():
        assert svg_ids, figure_id
        # an SVG's references stay inside that SVG ...
        assert svg_refs <= set(svg_ids), (figure_id, svg_refs - set(svg_ids))
        # ... and its ids all start with its figure's key
        key = next((k for k in KEYS if svg_ids[0].startswith(f"{k}-")), None)
        assert key and all(i.startswith(f"{key}-") for i in svg_ids), figure_id
        keys.append(key)
    assert keys == list(KEYS)
    html = three_charts.read_text(encoding="utf-8")
    assert "<metadata" not in html and "rdf:" not in html.lower()
