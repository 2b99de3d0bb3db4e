"""Assembling executed section notebooks into one briefing document.

The briefing is itself a notebook (so nbconvert renders it with the project's exporter and
Quarto can render it without executing anything):

- ``metadata.riskbrief`` carries the cover (title, subtitle, as-of date, version,
  classification, issuer), the table of contents and the provenance;
- the cells are: key judgments, every section's prose and outputs (never code, parameters
  or injected parameters), then the methods & sources appendix and the provenance block.

Headings get stable, unique ids (``{#id}`` syntax, understood by both renderers); figures
and tables are numbered in document order.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell, new_notebook

from riskbrief import appendix, assumptions, narrative
from riskbrief import references as refs
from riskbrief.errors import InputError
from riskbrief.narrative import summary
from riskbrief.references import Reference
from riskbrief.sections import Section

MAX_KEY_JUDGMENTS = 4
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{#([A-Za-z][\w-]*)\})?\s*#*\s*$")
_ANCHOR = re.compile(r"""<a\s+(?:name|id)=["']([\w-]+)["']""")
_DROP_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove"}


def slug(text: str) -> str:
    s = re.sub(r"<[^>]+>", "", text)
    s = re.sub(r"[^\w\s-]", "", s.lower()).strip()
    return re.sub(r"[\s_-]+", "-", s) or "section"


#: Ids of the briefing's own parts: section headings never take them; the parts claim them.
RESERVED_IDS = frozenset(
    {
        "key-judgments",
        "what-changed",
        "summary",
        "summary-options",
        "summary-watch",
        "prompted",
        "citation",
        "methods",
        "provenance",
        "contents",
        "main",
        "cover",
        "glossary",
        "assumptions",
        "references",
        "estimative-language",
        "provenance-inputs",
    }
)


class Headings:
    """Gives every heading a unique id and records the outline."""

    def __init__(self, reserved: frozenset[str] = RESERVED_IDS) -> None:
        self.reserved = set(reserved)
        self.used: set[str] = set()
        self.outline: list[dict[str, Any]] = []
        #: explicit anchors (``<a id="…">``) → the text of the heading they sit under
        self.anchors: dict[str, str] = {}

    def unique(self, wanted: str, *, claim: bool = False) -> str:
        """``wanted`` or ``wanted-2``…, never an id in use; a reserved id only if claimed."""
        if claim and wanted in self.reserved:
            self.reserved.discard(wanted)
            self.used.add(wanted)
            return wanted
        candidate, n = wanted, 2
        while candidate in self.used or candidate in self.reserved:
            candidate, n = f"{wanted}-{n}", n + 1
        self.used.add(candidate)
        return candidate

    def process(self, markdown: str, *, first_id: str | None = None) -> str:
        out, fenced = [], False
        for line in markdown.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            m = None if fenced else _HEADING.match(line)
            if m:
                hashes, text, given = m.groups()
                wanted = given or first_id or slug(text)
                first_id = None
                hid = self.unique(wanted, claim=given is not None)
                self.outline.append({"level": len(hashes), "text": text, "id": hid})
                line = f"{hashes} {text} {{#{hid}}}"
            elif not fenced:
                for anchor in _ANCHOR.findall(line):
                    self.used.add(anchor)
                    self.anchors[anchor] = self.outline[-1]["text"] if self.outline else anchor
            out.append(line)
        return "\n".join(out)


def _keep_output(output: NotebookNode) -> bool:
    if output.output_type not in {"display_data", "execute_result"}:
        return False  # streams (warnings, prints) and errors are not for readers
    data = output.get("data", {})
    return bool(set(data) - {"text/plain"})


def section_cells(nb: NotebookNode, section: Section, headings: Headings) -> list[NotebookNode]:
    """The reader-facing cells of one executed section notebook."""
    cells: list[NotebookNode] = []
    first = True
    for cell in nb.cells:
        if _DROP_TAGS & set(cell.metadata.get("tags", [])):
            continue
        cell = copy.deepcopy(cell)
        if cell.cell_type == "markdown":
            cell.source = headings.process(cell.source, first_id=section.anchor if first else None)
        elif cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if _keep_output(o)]
            if not cell.outputs:
                continue
            for o in cell.outputs:
                if "text/markdown" in o.get("data", {}) and "riskbrief" not in o.get(
                    "metadata", {}
                ):
                    o.data["text/markdown"] = headings.process(o.data["text/markdown"])
            cell.source = ""  # code is never part of a briefing
            cell.execution_count = None
        else:
            continue
        cell.metadata = {"riskbrief": {"section": section.name}}
        cell.id = f"{section.anchor}-{len(cells) + 1}"  # unique across the briefing, and stable
        if first:
            cell.metadata["riskbrief"]["section_start"] = True
            first = False
        cells.append(cell)
    return cells


def number_items(cells: list[NotebookNode]) -> list[dict[str, Any]]:
    """Number figures and tables in document order; return their metadata (for the appendix
    and for citations: changes to these dicts reach the rendered captions)."""
    counters = {"figure": 0, "table": 0}
    items = []
    for cell in cells:
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get("riskbrief")
            if not meta or meta.get("kind") not in counters:
                continue
            counters[meta["kind"]] += 1
            meta["number"] = counters[meta["kind"]]
            meta["id"] = f"{meta['kind']}-{meta['number']}"
            meta["section"] = cell.metadata["riskbrief"]["section"]
            items.append(meta)
    return items


def select_key_judgments(
    results: dict[str, dict[str, Any]], order: list[str]
) -> list[dict[str, Any]]:
    """Up to six judgments, taken in turn from each section in briefing order."""
    queues = [list(results.get(s, {}).get("key_judgments", [])) for s in order]
    chosen: list[dict[str, Any]] = []
    while any(queues) and len(chosen) < MAX_KEY_JUDGMENTS:
        for q in queues:
            if q and len(chosen) < MAX_KEY_JUDGMENTS:
                chosen.append(q.pop(0))
    return chosen


def rate_confidence(
    judgments: list[dict[str, Any]], assumption_rows: list[dict[str, str]] | None
) -> None:
    """Set each judgment's analytic ``confidence`` from the assumptions it rests on (the
    assumptions log's quality and impact ratings); None where there is no log."""
    if not assumption_rows:
        return
    ratings = {r["ID"]: (r["Quality"], r["Impact"]) for r in assumption_rows}
    for kj in judgments:
        rests = list(kj.get("assumptions") or [])
        missing = [a for a in rests if a not in ratings]
        if missing:
            raise InputError(
                "docs/assumptions.md",
                f"a key judgment rests on {', '.join(missing)}, which the log does not list for "
                f"this briefing's sections (its 'Used in' must name a section the briefing has, "
                f"or none): “{kj['text'][:80]}…”",
            )
        kj["confidence"] = narrative.confidence(rests, ratings)


def judgment_line(kj: dict[str, Any]) -> str:
    """A key judgment as printed: the sentence, then its confidence and what it rests on."""
    text = kj["text"]
    if kj.get("confidence"):
        rests = ", ".join(kj.get("assumptions") or [])
        basis = f"; rests on {rests}" if rests else ""
        text += f" *Confidence: {kj['confidence']}* ({kj.get('evidence', 'evidence')}{basis})."
    return text


def summary_cell(
    judgments: list[dict[str, Any]],
    section_titles: dict[str, str],
    results: dict[str, dict[str, Any]],
    role: str,
    headings: Headings,
) -> NotebookNode:
    """The one-page summary: bottom line, key judgments, what it means for this audience, what
    to watch."""
    readers = summary.ROLE_READERS.get(role, role)
    lines = ["## Summary {#summary}", ""]
    bottom = summary.bottom_line(results, role)
    if bottom:
        lines += [f"**Bottom line.** {bottom}", ""]
    lines += ["### Key judgments {#key-judgments}", ""]
    if not judgments:
        lines.append("The sections of this briefing produced no key judgments.")
    for i, kj in enumerate(judgments, 1):
        anchor = kj.get("anchor")
        link = f" [(see “{section_titles[anchor]}”)](#{anchor})" if anchor in section_titles else ""
        lines.append(f"{i}. {judgment_line(kj)}{link}")
    means = summary.means_for_you(results, role)
    if means:
        lines += ["", f"### What it means for {readers} {{#summary-options}}", ""]
        lead = summary.options_lead(results)
        if lead:
            lines += [lead, ""]
        lines += [f"- {m}" for m in means]
        lines.append(
            "- Every option for these readers, with its evidence, costs and modelled effect: "
            "[Options](#implications-options)."
        )
    watch = summary.what_to_watch(results)
    if watch:
        lines += ["", "### What to watch {#summary-watch}", ""]
        lines += [f"- {w}" for w in watch]
    cell = new_markdown_cell(
        headings.process("\n".join(lines)),
        metadata={"riskbrief": {"section": "summary", "section_start": True}},
    )
    cell.id = "summary"
    return cell


def assemble(
    *,
    cover: dict[str, Any],
    executed: dict[str, Path],
    sections: dict[str, Section],
    results: dict[str, dict[str, Any]],
    provenance: dict[str, Any],
    changes: str | None = None,
    references: list[Reference] | None = None,
    assumption_rows: list[dict[str, str]] | None = None,
    glossary: list[dict[str, Any]] | None = None,
    role: str = "policy",
    source: dict[str, Any] | None = None,
    citation: str | None = None,
) -> NotebookNode:
    """Build the briefing notebook from executed sections (in the order given). Of the
    assumptions log, only the rows that concern these sections are printed."""
    order = list(executed)
    if assumption_rows:
        assumption_rows = assumptions.used_rows(assumption_rows, order)
    headings = Headings()
    headings.unique("what-changed", claim=True)
    for fixed in ("contents", "main", "cover"):
        headings.unique(fixed, claim=True)
    body: list[NotebookNode] = []
    titles: dict[str, str] = {}
    for name, path in executed.items():
        nb = nbformat.read(path, as_version=4)
        start = len(headings.outline)
        body += section_cells(nb, sections[name], headings)
        section_heading = next((h for h in headings.outline[start:] if h["level"] == 2), None)
        titles[sections[name].anchor] = section_heading["text"] if section_heading else name
    items = number_items(body)
    numbered = refs.number(references or [], items)
    kj = select_key_judgments(results, order)
    rate_confidence(kj, assumption_rows)
    heading_texts = {**headings.anchors, **{h["id"]: h["text"] for h in headings.outline}}
    body_outline = list(headings.outline)
    front = [summary_cell(kj, heading_texts, results, role, headings)]
    changes_heading = bool(changes) and changes.startswith("## ")
    if changes:
        meta = {"riskbrief": {"section": "what-changed", "section_start": changes_heading}}
        changed = new_markdown_cell(changes, metadata=meta)
        changed.id = "what-changed"
        front.append(changed)
    if source:
        prompted = new_markdown_cell(
            headings.process(summary.prompted_markdown(source)),
            metadata={"riskbrief": {"section": "prompted", "section_start": True}},
        )
        prompted.id = "prompted"
        front.append(prompted)
    front_outline = list(headings.outline[len(body_outline) :])
    back_start = len(headings.outline)
    back = appendix.cells(
        results,
        order,
        titles,
        provenance,
        headings,
        references=numbered,
        assumption_rows=assumption_rows,
        glossary=glossary,
        citation=citation,
    )
    cells = [*front, *body, *back]
    outline = [h for h in front_outline if h["level"] <= 3 and h["id"] != "prompted"]
    if changes_heading:
        title = changes.splitlines()[0].lstrip("# ").split(" {#")[0]
        outline.append({"level": 2, "text": title, "id": "what-changed"})
    outline += [h for h in front_outline if h["id"] == "prompted"]
    outline += [h for h in body_outline if h["level"] <= 3]
    outline += [h for h in headings.outline[back_start:] if h["level"] <= 3]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["riskbrief"] = {
        **cover,
        "toc": outline,
        "key_judgments": kj,
        "items": [
            {
                k: v
                for k, v in it.items()
                if k in {"kind", "number", "caption", "source", "section", "key", "refs"}
            }
            for it in items
        ],
        "references": [{"number": n, "citation": r.citation, "url": r.url} for n, r in numbered],
        "provenance": provenance,
    }
    return nb
