"""The briefing's numbered reference list: one registry of works by key.

Every figure and table names the references it cites by key (``show_figure(..., refs=[…])``);
the assembler numbers references in order of first citation, so the list reads in document
order, then lists the uncited ones. The registry holds the works every briefing rests on (the
source article, the ICD 203 estimative scale), the race models' papers (from
``riskbrief.models.MODELS``: one citation, stored once), the MIT AI Risk Repository, and the
analysts' own data files; the indicators file adds one reference per distinct source it
names (:func:`from_indicators`, keyed by :func:`source_key`).

Which references a briefing lists is decided by its sections (``Section.references`` in
:mod:`riskbrief.sections`), plus :data:`EVERY_BRIEFING`.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskbrief.errors import InputError
from riskbrief.models import MODELS
from riskbrief.narrative import ICD203_SOURCE

if TYPE_CHECKING:
    from riskbrief.datasets import Source


@dataclass(frozen=True)
class Reference:
    key: str
    citation: str
    url: str | None = None


REGISTRY: dict[str, Reference] = {
    r.key: r
    for r in (
        Reference(
            "source-article",
            "Creati.ai, report on Chinese AI researchers' alarm at an unchecked US–China AI arms "
            "race, drawing on interviews reported by Wired: risk categories and urgency table, the "
            "security dilemma, and the call for an international safety race. The project's "
            "source article.",
        ),
        *(Reference(m.reference_key, m.citation) for m in MODELS.values()),
        Reference(
            "mit-risk-repository",
            # as the workbook asks to be cited (its "Cite as" line), with the release it states
            "Slattery, P., Saeri, A. K., Grundy, E. A. C., Graham, J., Noetel, M., Uuk, R., Dao, "
            "J., Pour, S., Casper, S., & Thompson, N. (2024). A systematic evidence review and "
            "common frame of reference for the risks from artificial intelligence. "
            "https://doi.org/10.48550/arXiv.2408.12622. The AI Risk Repository, MIT FutureTech: "
            "AI Risk Database v3, updated 26 March 2025. Licence: CC BY 4.0.",
            "https://airisk.mit.edu/",
        ),
        Reference(
            "risk-register",
            "riskbrief analysis team. Risk register (data/risk_register.csv): likelihood and "
            "impact ranges are analysts' illustrative judgements; each row states its basis.",
        ),
        Reference(
            "scenarios-file",
            "riskbrief analysis team. Scenario definitions (data/scenarios.yaml): parameter values "
            "and ranges are an illustrative analyst assessment, not measurements.",
        ),
        Reference(
            "options-file",
            "riskbrief analysis team. Options and signposts (data/options.yaml, "
            "data/signposts.yaml): an analyst's framing of measures discussed in the field and of "
            "what to watch; the governance record they cite (data/governance.csv) lists its "
            "sources, each in this list.",
        ),
        Reference("icd-203", ICD203_SOURCE + "."),
    )
}

#: Listed in every briefing, whatever its sections.
EVERY_BRIEFING: tuple[str, ...] = ("source-article", "icd-203")


def get(key: str) -> Reference:
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(
            f"unknown reference key {key!r}; registered: {', '.join(REGISTRY)}"
        ) from None


def source_key(source: str) -> str:
    """The reference key of a data source named in a data file (stable across editions)."""
    return "src-" + hashlib.sha256(source.strip().encode("utf-8")).hexdigest()[:12]


def from_table(path: Path) -> list[Reference]:
    """One reference per distinct source named in a data table with ``source`` and ``url``
    columns (the indicators, the governance record), in alphabetical order of the source."""
    return from_indicators(path)


def from_indicators(path: Path) -> list[Reference]:
    """One reference per distinct source named in an indicators file (with its URL), in
    alphabetical order of the source."""
    if not path.is_file():
        return []
    seen: dict[str, str | None] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            source = (row.get("source") or "").strip()
            if source and source not in seen:
                seen[source] = (row.get("url") or "").strip() or None
    return [Reference(source_key(s), s, url) for s, url in sorted(seen.items())]


def _long_date(d) -> str:
    return f"{d.day} {d:%B %Y}"


def from_source(key: str, source: Source) -> Reference:
    """A reference to a public dataset from the provenance sidecar of a table derived from it
    (``riskbrief.datasets.Source``): the attribution the publisher asks for, the copy used (its
    release, or the date of its newest record when the files state no release) and the licence
    the derived tables carry. Every table of one copy of a dataset gives the same reference."""
    # the sidecar's attribution may end with a sentence about its own table; the reference is
    # to the dataset
    attribution = re.sub(r"\s*This table is derived from it.*$", "", source.attribution.strip())
    files = ", ".join(source.files) or "the publisher's files"
    if source.release:
        copy = f"Copy used: {files}, release of {_long_date(source.release)}."
    elif source.data_through:
        copy = (
            f"Copy used: {files}, with records to {_long_date(source.data_through)} (no "
            "release date stated in the files)."
        )
    else:
        copy = f"Copy used: {files} (no release date stated in the files)."
    if "BY-SA" in source.licence.upper():
        terms = f" The tables derived from it are shared under the same licence ({source.licence})."
    elif source.licence not in attribution:
        terms = f" Licence: {source.licence}."
    else:
        terms = ""
    return Reference(key, f"{attribution} {copy}{terms}", source.url)


def listed(keys: Iterable[str], extra: Iterable[Reference] = ()) -> list[Reference]:
    """The references a briefing lists: registered ones (in registry order) whose key is in
    ``keys`` or :data:`EVERY_BRIEFING`, then ``extra`` (references made from data)."""
    wanted = {*keys, *EVERY_BRIEFING}
    return [r for k, r in REGISTRY.items() if k in wanted] + list(extra)


def number(references: list[Reference], items: list[dict[str, Any]]) -> list[tuple[int, Reference]]:
    """Number references in order of first citation by ``items`` (figures and tables in
    document order, each with ``cites``: reference keys), then the uncited ones; set ``refs``
    (the numbers) on each item. A key an item cites that is not in the list is an error."""
    known = {r.key for r in references}
    order: list[Reference] = []
    for item in items:
        cites = set(item.get("cites") or ())
        unknown = sorted(cites - known)
        if unknown:
            raise ValueError(
                f"{item.get('kind', 'item')} {item.get('key', '')!r} cites {', '.join(unknown)}, "
                "which the briefing's sections do not list (Section.references)"
            )
        for ref in references:
            if ref.key in cites and ref not in order:
                order.append(ref)
    order += [r for r in references if r not in order]
    numbers = {r.key: n for n, r in enumerate(order, 1)}
    for item in items:
        item["refs"] = sorted(numbers[k] for k in set(item.get("cites") or ()))
    return [(numbers[r.key], r) for r in order]


SOURCE_FIELDS = (
    "outlet",
    "relays",
    "title",
    "date",
    "who",
    "what",
    "reliability",
    "credibility",
    "reliability_note",
)


def load_source_article(path: Path) -> dict[str, Any]:
    """The source article's record (``data/source_article.yaml``): who said what, when, and how
    far it can be relied on (Admiralty grading: reliability A-F, credibility 1-6)."""
    from riskbrief.errors import Problems
    from riskbrief.readers import read_yaml

    doc = read_yaml(path)
    problems = Problems(path)
    if not isinstance(doc, dict):
        raise InputError(path, f"expected a mapping with {', '.join(SOURCE_FIELDS)}")
    for k in doc:
        if k not in SOURCE_FIELDS:
            problems.add(f"unknown field (allowed: {', '.join(SOURCE_FIELDS)})", field=str(k))
    for k in SOURCE_FIELDS:
        v = doc.get(k)
        if v is None or not str(v).strip():
            problems.add("missing or empty", field=k)
    if str(doc.get("reliability", "")) not in tuple("ABCDEF"):
        problems.add("must be one of A to F (Admiralty scale)", field="reliability")
    if str(doc.get("credibility", "")) not in tuple("123456"):
        problems.add("must be one of 1 to 6 (Admiralty scale)", field="credibility")
    problems.raise_if_any(sort=False)
    return {k: " ".join(str(doc[k]).split()) for k in SOURCE_FIELDS}
