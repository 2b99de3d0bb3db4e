"""The briefing's numbered reference list, built from the data and the models it uses.

References come from three places: the works every briefing rests on (the source article,
the MIT AI Risk Repository taxonomy, the ICD 203 estimative scale), the race models'
papers (``riskbrief.models.MODELS``), and the data — every distinct source in
``data/indicators.csv`` with its URL, plus the analysts' own data files. Each reference has
patterns; a figure's or table's source line cites every reference whose pattern it matches.
Numbers are given in order of first citation, so the list reads in document order.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskbrief.models import MODELS
from riskbrief.narrative import ICD203_SOURCE


@dataclass(frozen=True)
class Reference:
    key: str
    citation: str
    url: str | None = None
    #: regular expressions matched against source lines
    patterns: tuple[str, ...] = ()

    def cited_by(self, text: str) -> bool:
        return any(re.search(p, text) for p in self.patterns)


_MODEL_PATTERNS = {
    "racing": (r"Armstrong",),
    "dsair": (r"Han, Pereira", r"Han et al"),
    "richardson": (r"Richardson",),
}

STANDING: tuple[Reference, ...] = (
    Reference(
        "source-article",
        "Creati.ai, report on Chinese AI researchers' alarm at an unchecked US–China AI arms race, "
        "drawing on interviews reported by Wired: risk categories and urgency table, the security "
        "dilemma, and the call for an international safety race. The project's source article.",
        None,
        (r"Creati\.ai", r"source article"),
    ),
    *(
        Reference(f"model-{key}", spec.citation, None, _MODEL_PATTERNS.get(key, ()))
        for key, spec in MODELS.items()
    ),
    Reference(
        "mit-risk-repository",
        "Slattery, P. et al. (2024). The AI Risk Repository: a comprehensive meta-review, database, "
        "and taxonomy of risks from artificial intelligence. arXiv:2408.12622 (CC BY 4.0); "
        "database version 3, 26 March 2025.",
        "https://airisk.mit.edu/",
        (r"MIT AI Risk", r"Risk Repository"),
    ),
    Reference(
        "risk-register",
        "riskbrief analysis team. Risk register (data/risk_register.csv): likelihood and impact "
        "ranges are analysts' illustrative judgements; each row states its basis.",
        None,
        (r"risk_register\.csv", r"[Rr]isk register"),
    ),
    Reference(
        "scenarios-file",
        "riskbrief analysis team. Scenario definitions (data/scenarios.yaml): parameter values and "
        "ranges are an illustrative analyst assessment, not measurements.",
        None,
        (r"scenarios\.yaml",),
    ),
    Reference(
        "icd-203", ICD203_SOURCE + ".", None, (r"ICD 203", r"Intelligence Community Directive")
    ),
)


def from_indicators(path: Path) -> list[Reference]:
    """One reference per distinct source named in the indicators file (with its URL)."""
    if not path.is_file():
        return []
    seen: dict[str, str | None] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            source = (row.get("source") or "").strip()
            if source and source not in seen:
                seen[source] = (row.get("url") or "").strip() or None
    return [
        Reference(f"data-{i}", source, url, (re.escape(source),))
        for i, (source, url) in enumerate(sorted(seen.items()), 1)
    ]


def number(references: list[Reference], items: list[dict[str, Any]]) -> list[tuple[int, Reference]]:
    """Number references in order of first citation by ``items`` (figures and tables in document
    order, each with a ``source``), then the uncited ones; set ``refs`` on each item."""
    order: list[Reference] = []
    for item in items:
        for ref in references:
            if ref.cited_by(item.get("source", "")) and ref not in order:
                order.append(ref)
    order += [r for r in references if r not in order]
    numbers = {r.key: n for n, r in enumerate(order, 1)}
    for item in items:
        item["refs"] = [numbers[r.key] for r in references if r.cited_by(item.get("source", ""))]
        item["refs"].sort()
    return [(numbers[r.key], r) for r in order]
