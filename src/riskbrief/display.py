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


def figure_svg(fig, key: str) -> str:
    """The figure as SVG text, byte-identical for identical figures.

    The hash salt is the figure's key, so ids are stable across builds and differ between
    figures inlined in one HTML document; the date metadata is dropped.
    """
    with mpl.rc_context({"svg.hashsalt": f"rb-{key}", "svg.fonttype": "none"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buf.getvalue()
    # Drop the XML prolog and DOCTYPE so the SVG can be inlined in HTML.
    svg = svg[svg.index("<svg") :]
    return svg


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
