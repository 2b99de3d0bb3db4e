"""The back of a briefing: methods (in prose), likelihood, confidence and precision, the
glossary, the assumptions log, the numbered references and the provenance block.

Every heading goes through the assembler's :class:`~riskbrief.assemble.Headings`, so the
contents list holds exactly the headings the body prints, in order, and their numbers match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from riskbrief import assumptions, narrative
from riskbrief.references import Reference

if TYPE_CHECKING:  # pragma: no cover
    from riskbrief.assemble import Headings


def methods_markdown(methods: Any) -> str:
    """A section's methods as prose: a string as it is; a mapping as one paragraph per topic,
    led by the topic in bold."""
    if isinstance(methods, str):
        return methods
    if isinstance(methods, dict):
        return "\n\n".join(
            f"**{k}.** {methods_markdown(v)}" for k, v in methods.items() if str(v).strip()
        )
    if isinstance(methods, list):
        return " ".join(methods_markdown(v) for v in methods)
    return str(methods)


def _estimative_part() -> list[str]:
    return [
        "### Likelihood, confidence and precision {#estimative-language}",
        "",
        "Likelihood words follow the scale of " + narrative.ICD203_SOURCE + ", with its own "
        "bands; each word is computed from the number it describes, and numbers below 1% or "
        "above 99% are printed as '<1%' and '>99%'. A likelihood in this briefing is the "
        "probability of a model output under stated assumptions unless the judgment says "
        "otherwise; it is not a forecast of the world.",
        "",
        "| Phrase | Probability |",
        "|---|---|",
        *[f"| {phrase} | {rng} |" for phrase, rng in narrative.scale_table()],
        "",
        narrative.CONFIDENCE_RULE,
        "",
        narrative.PRECISION_RULE,
        "",
    ]


def _glossary_part(entries: list[dict[str, Any]]) -> list[str]:
    lines = [
        "### Glossary {#glossary}",
        "",
        "The models, parameters, measures and abbreviations this briefing uses.",
        "",
    ]
    for e in entries:
        lines.append(
            f"**{narrative.md_escape(e['term'])}** — {narrative.md_escape(e['definition'])}"
        )
        lines.append("")
    return lines


def cells(
    results: dict[str, dict[str, Any]],
    order: list[str],
    section_titles: dict[str, str],
    provenance: dict[str, Any],
    headings: Headings,
    *,
    references: list[tuple[int, Reference]] | None = None,
    assumption_rows: list[dict[str, str]] | None = None,
    glossary: list[dict[str, Any]] | None = None,
    citation: str | None = None,
) -> list[NotebookNode]:
    """The methods-and-sources cell and the provenance cell."""
    parts = ["## Methods and sources {#methods}", "", *_estimative_part()]
    for s in order:
        m = results.get(s, {}).get("methods")
        if m:
            parts += [
                f"### {section_titles.get(s.replace('_', '-'), s)}: methods",
                "",
                methods_markdown(m),
                "",
            ]
    if glossary:
        parts += _glossary_part(glossary)
    if assumption_rows:
        parts += [
            "### Assumptions {#assumptions}",
            "",
            "Each modelling assumption with the quality of its evidence (Green: published or "
            "measured; Amber: reasoned judgement or standard convention; Red: illustrative "
            "placement) and its impact on the judgments if wrong (Red: conclusions could change; "
            "Amber: numbers would move; Green: little effect). Key judgments name the assumptions "
            "they rest on; their confidence follows from these ratings. Kept in "
            "docs/assumptions.md.",
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
    if citation:
        parts += ["### Suggested citation {#citation}", "", citation, ""]
    methods_cell = new_markdown_cell(
        headings.process("\n".join(parts)),
        metadata={"riskbrief": {"section": "appendix", "section_start": True}},
    )
    methods_cell.id = "methods"
    prov_cell = new_markdown_cell(
        headings.process(provenance_markdown(provenance)),
        metadata={"riskbrief": {"section": "provenance", "section_start": True}},
    )
    prov_cell.id = "provenance"
    return [methods_cell, prov_cell]


def provenance_markdown(prov: dict[str, Any]) -> str:
    rows = [
        ("Briefing", prov["briefing"]),
        ("Version", f"v{prov['version']}"),
        ("Supersedes", f"v{prov['supersedes']}" if prov.get("supersedes") else "none"),
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
    lines = [
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
        "### Inputs {#provenance-inputs}",
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
    return "\n".join(lines)
