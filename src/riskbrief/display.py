"""How a section notebook shows things so the briefing can assemble, number and render them.

Section notebooks never call ``plt.show()`` or print DataFrames: they call these helpers,
which put one output per item in the notebook with ``riskbrief`` metadata. The assembler
numbers figures and tables in document order, the HTML template turns them into
``<figure>``/``<table>`` with captions, alt text and source lines, and the Quarto renderer
turns them into Markdown figures.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from riskbrief.narrative import html_escape

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(
            f"figure/table key must be lower-case letters, digits and '-', got {key!r}"
        )
    return key


#: matplotlib writes Dublin Core metadata (creator, date, format, type) into every SVG as RDF,
#: which HTML does not allow inside inline SVG; with every entry set to None it writes none.
_NO_SVG_METADATA = {"Creator": None, "Date": None, "Format": None, "Type": None}

_SVG_TAG = re.compile(r"<[^>]+>")  # matplotlib escapes '>' in attribute values
_SVG_ID = re.compile(r'(\sid=")([^"]+)(")')
# References to an id: url(#id) in presentation attributes (clip-path, mask, fill, marker-*,
# filter), in style attributes and in CSS; href="#id" and xlink:href="#id" (<use>).
_SVG_URL_REF = re.compile(r"""(url\(\s*(?:["']|&quot;)?#)([^"'&)\s]+)((?:["']|&quot;)?\s*\))""")
_SVG_HREF_REF = re.compile(r'(\s(?:xlink:)?href="#)([^"]+)(")')
_SVG_STYLE = re.compile(r"(<style\b[^>]*>)(.*?)(</style>)", re.S)
# In CSS, an id selector is a '#name' outside a declaration block ({...} without braces inside).
_CSS_BLOCK_OR_ID = re.compile(r"\{[^{}]*\}|#(-?[A-Za-z_][\w.-]*)")


def scope_svg_ids(svg: str, prefix: str) -> str:
    """The SVG with every id it defines prefixed by ``prefix``, and every reference to those ids
    inside it rewritten to match: ``url(#…)`` (clip-path, mask, fill, marker-*, filter, style),
    ``href``/``xlink:href`` and id selectors in its ``<style>``. Text is left alone.

    SVGs inlined in one HTML document share the document's id space: without this, every
    matplotlib chart repeats ``figure_1``, ``axes_1``, ``patch_1``… and a reference such as
    ``clip-path="url(#p1)"`` could resolve to another chart's element."""
    ids = {m.group(2) for tag in _SVG_TAG.findall(svg) for m in _SVG_ID.finditer(tag)}
    if not ids:
        return svg

    def ref(m: re.Match[str]) -> str:
        name = m.group(2)
        return m.group(1) + (prefix + name if name in ids else name) + m.group(3)

    def tag(m: re.Match[str]) -> str:
        t = _SVG_ID.sub(lambda i: i.group(1) + prefix + i.group(2) + i.group(3), m.group(0))
        return _SVG_HREF_REF.sub(ref, _SVG_URL_REF.sub(ref, t))

    def selector(m: re.Match[str]) -> str:
        name = m.group(1)
        return m.group(0) if name is None or name not in ids else "#" + prefix + name

    def style(m: re.Match[str]) -> str:
        css = _CSS_BLOCK_OR_ID.sub(selector, _SVG_URL_REF.sub(ref, m.group(2)))
        return m.group(1) + css + m.group(3)

    return _SVG_STYLE.sub(style, _SVG_TAG.sub(tag, svg))


def figure_svg(fig, key: str) -> str:
    """The figure as SVG text to inline in HTML, byte-identical for identical figures.

    Every id in it starts with the figure's key (``risk-heatmap-axes_1``), which is unique in
    a briefing, so the ids of several charts never collide in one document; the hash salt is
    the key too, so generated ids are stable across builds. No RDF metadata (not allowed in
    HTML), no XML prolog or DOCTYPE.
    """
    _check_key(key)
    with mpl.rc_context({"svg.hashsalt": f"rb-{key}", "svg.fonttype": "none"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata=_NO_SVG_METADATA, bbox_inches="tight")
    svg = buf.getvalue()
    # Drop the XML prolog and DOCTYPE so the SVG can be inlined in HTML.
    svg = svg[svg.index("<svg") :]
    return scope_svg_ids(svg, f"{key}-")


def show_figure(
    fig, *, key: str, caption: str, alt: str, source: str, refs: Sequence[str] = ()
) -> None:
    """Show a chart: SVG plus caption (what to read from it), alt text (what it shows and its
    main finding, generated from the data), a source line and the keys of the references it
    cites (``riskbrief.references``). Closes the figure."""
    _check_key(key)
    if not alt.strip():
        raise ValueError(f"figure {key!r} needs alt text")
    svg = figure_svg(fig, key)
    plt.close(fig)
    display(
        {"image/svg+xml": svg, "text/plain": alt},
        raw=True,
        metadata={
            "riskbrief": {
                "kind": "figure",
                "key": key,
                "caption": caption,
                "alt": alt,
                "source": source,
                "cites": list(refs),
            }
        },
    )


def table_html(df: pd.DataFrame, *, index: bool = False) -> str:
    """A DataFrame as an escaped HTML table with header cells."""
    head = "".join(
        f'<th scope="col">{html_escape(c)}</th>'
        for c in ([df.index.name or ""] if index else []) + list(df.columns)
    )
    rows = []
    for idx, row in df.iterrows():
        cells = []
        if index:
            cells.append(f'<th scope="row">{html_escape(idx)}</th>')
        cells.extend(f"<td>{html_escape(v)}</td>" for v in row.tolist())
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def table_markdown(df: pd.DataFrame) -> str:
    def cell(v: object) -> str:
        return html_escape(v).replace("|", "\\|")

    lines = ["| " + " | ".join(cell(c) for c in df.columns) + " |"]
    lines.append("|" + "|".join("---" for _ in df.columns) + "|")
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def show_table(
    df: pd.DataFrame,
    *,
    key: str,
    caption: str,
    source: str,
    refs: Sequence[str] = (),
    index: bool = False,
) -> None:
    """Show a table (already formatted for readers: strings, rounded numbers) with caption,
    source line and the keys of the references it cites."""
    _check_key(key)
    display(
        {
            "text/html": table_html(df, index=index),
            "text/markdown": table_markdown(df),
            "text/plain": caption,
        },
        raw=True,
        metadata={
            "riskbrief": {
                "kind": "table",
                "key": key,
                "caption": caption,
                "source": source,
                "cites": list(refs),
            }
        },
    )


def show_markdown(text: str) -> None:
    """Show generated prose. Text that comes from data must go through ``narrative.md_escape``."""
    display(Markdown(text))
