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

from riskbrief import assumptions, narrative
from riskbrief import references as refs
from riskbrief.references import Reference
from riskbrief.sections import Section

MAX_KEY_JUDGMENTS = 6
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(?:\{#([A-Za-z][\w-]*)\})?\s*#*\s*$")
_ANCHOR = re.compile(r"""<a\s+(?:name|id)=["']([\w-]+)["']""")
_DROP_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove"}


def slug(text: str) -> str:
    s = re.sub(r"<[^>]+>", "", text)
    s = re.sub(r"[^\w\s-]", "", s.lower()).strip()
    return re.sub(r"[\s_-]+", "-", s) or "section"


class Headings:
    """Gives every heading a unique id and records the outline."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.outline: list[dict[str, Any]] = []
        #: explicit anchors (``<a id="…">``) → the text of the heading they sit under
        self.anchors: dict[str, str] = {}

    def unique(self, wanted: str) -> str:
        candidate, n = wanted, 2
        while candidate in self.used:
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
                hid = self.unique(wanted)
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


def key_judgments_cell(
    judgments: list[dict[str, Any]], section_titles: dict[str, str]
) -> NotebookNode:
    lines = ["## Key judgments {#key-judgments}", ""]
    if not judgments:
        lines.append("The sections of this briefing produced no key judgments.")
    for i, kj in enumerate(judgments, 1):
        anchor = kj.get("anchor")
        link = f" [(see “{section_titles[anchor]}”)](#{anchor})" if anchor in section_titles else ""
        lines.append(f"{i}. {kj['text']}{link}")
    cell = new_markdown_cell(
        "\n".join(lines),
        metadata={"riskbrief": {"section": "key-judgments", "section_start": True}},
    )
    cell.id = "key-judgments"
    return cell


def _methods_markdown(methods: Any) -> str:
    if isinstance(methods, str):
        return methods
    if isinstance(methods, dict):
        return "\n".join(f"- **{k}**: {_methods_markdown(v)}" for k, v in methods.items())
    if isinstance(methods, list):
        return "; ".join(_methods_markdown(v) for v in methods)
    return str(methods)


def appendix_cells(
    results: dict[str, dict[str, Any]],
    order: list[str],
    section_titles: dict[str, str],
    provenance: dict[str, Any],
    references: list[tuple[int, Reference]] | None = None,
    assumption_rows: list[dict[str, str]] | None = None,
) -> list[NotebookNode]:
    meta = {"riskbrief": {"section": "appendix", "section_start": True}}
    parts = ["## Methods and sources {#methods}", ""]
    parts += [
        "### Words of estimative probability",
        "",
        "Probability phrases in this briefing follow the scale of "
        + narrative.ICD203_SOURCE
        + ". Each phrase is computed from the number it describes.",
        "",
        "| Phrase | Probability |",
        "|---|---|",
        *[f"| {phrase} | {rng} |" for phrase, rng in narrative.scale_table()],
        "",
    ]
    for s in order:
        m = results.get(s, {}).get("methods")
        if m:
            parts += [
                f"### {section_titles.get(s.replace('_', '-'), s)}: methods",
                "",
                _methods_markdown(m),
                "",
            ]
    if assumption_rows:
        parts += [
            "### Assumptions {#assumptions}",
            "",
            "Each modelling assumption with the quality of its evidence (Green: published or measured; "
            "Amber: reasoned judgement or standard convention; Red: illustrative placement) and its "
            "impact on the judgments if wrong (Red: conclusions could change; Amber: numbers would move; "
            "Green: little effect). Kept in docs/assumptions.md.",
            "",
            assumptions.markdown(
                [{k: narrative.md_escape(v) for k, v in r.items()} for r in assumption_rows]
            ),
            "",
        ]
    if references:
        parts += [
            "### References {#references}",
            "",
            "Source lines under figures and tables cite these numbers.",
            "",
        ]
        for n, ref in references:
            url = f" {narrative.md_escape(ref.url)}" if ref.url else ""
            parts.append(f'{n}. <a id="ref-{n}"></a>{narrative.md_escape(ref.citation)}{url}')
        parts.append("")
    prov = provenance
    rows = [
        ("Briefing", prov["briefing"]),
        ("Version", f"v{prov['version']}"),
        ("Supersedes", f"v{prov['supersedes']}" if prov.get("supersedes") else "first edition"),
        ("Built", prov["built_at"]),
        ("Input fingerprint", f"`{prov['fingerprint']}`"),
        (
            "Git commit",
            f"`{prov['git']['commit']}`"
            + (" (uncommitted changes)" if prov["git"].get("dirty") else ""),
        ),
        ("Renderer", prov["renderer"]),
        ("Python", prov["python"]),
        *[(name, ver) for name, ver in sorted(prov.get("key_packages", {}).items())],
    ]
    prov_md = [
        "## Provenance {#provenance}",
        "",
        "Each published version keeps a manifest (`manifest.json`) with the sha256 of every input "
        "and output; `riskbrief show` prints it.",
        "",
        "| Item | Value |",
        "|---|---|",
        *[
            f"| {k} | {narrative.md_escape(v) if not str(v).startswith('`') else v} |"
            for k, v in rows
        ],
        "",
        "### Inputs",
        "",
        "| Input | sha256 |",
        "|---|---|",
        *[
            f"| {narrative.md_escape(i['path'])} | `{i['sha256'][:16]}` |"
            for i in prov["inputs"]
            if i["kind"] != "package"
        ],
        f"| riskbrief package ({sum(i['kind'] == 'package' for i in prov['inputs'])} files) | "
        f"`{prov['package_digest'][:16]}` |",
    ]
    methods_cell = new_markdown_cell("\n".join(parts), metadata=meta)
    methods_cell.id = "methods"
    prov_cell = new_markdown_cell(
        "\n".join(prov_md), metadata={"riskbrief": {"section": "provenance", "section_start": True}}
    )
    prov_cell.id = "provenance"
    return [methods_cell, prov_cell]


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
) -> NotebookNode:
    """Build the briefing notebook from executed sections (in the order given). Of the
    assumptions log, only the rows that concern these sections are printed."""
    order = list(executed)
    if assumption_rows:
        assumption_rows = assumptions.used_rows(assumption_rows, order)
    headings = Headings()
    headings.used.update(
        {"key-judgments", "what-changed", "methods", "provenance", "contents", "main", "cover"}
    )
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
    heading_texts = {**headings.anchors, **{h["id"]: h["text"] for h in headings.outline}}
    front = [key_judgments_cell(kj, heading_texts)]
    changes_heading = bool(changes) and changes.startswith("## ")
    if changes:
        meta = {"riskbrief": {"section": "what-changed", "section_start": changes_heading}}
        changed = new_markdown_cell(changes, metadata=meta)
        changed.id = "what-changed"
        front.append(changed)
    cells = [
        *front,
        *body,
        *appendix_cells(results, order, titles, provenance, numbered, assumption_rows),
    ]
    outline = [{"level": 2, "text": "Key judgments", "id": "key-judgments"}]
    if changes_heading:
        title = changes.splitlines()[0].lstrip("# ").split(" {#")[0]
        outline.append({"level": 2, "text": title, "id": "what-changed"})
    outline += [h for h in headings.outline if h["level"] <= 3]
    outline.append({"level": 2, "text": "Methods and sources", "id": "methods"})
    if assumption_rows:
        outline.append({"level": 3, "text": "Assumptions", "id": "assumptions"})
    if numbered:
        outline.append({"level": 3, "text": "References", "id": "references"})
    outline.append({"level": 2, "text": "Provenance", "id": "provenance"})
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
