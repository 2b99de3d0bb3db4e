"""The risk register and the source article's urgency ratings: loading and validation.

``data/risk_register.csv`` holds one risk per row, scored on two 1-5 scales (likelihood and
impact) as a three-point estimate: lowest plausible, most likely, highest plausible.
``data/article_urgency.csv`` holds the urgency the source article gives each category.

Every problem names the file, the spreadsheet row and the column (see ``riskbrief.readers``);
all problems in a file are reported together.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from riskbrief.errors import Problems
from riskbrief.readers import (
    choices,
    dates,
    integers,
    lists,
    matching,
    non_empty,
    read_table,
    unique,
)

#: MIT AI Risk Repository domain taxonomy (Slattery et al., "The AI Risk Repository",
#: arXiv:2408.12622, CC BY 4.0; database version 3, March 2025): code -> name.
MIT_TAXONOMY: dict[str, str] = {
    "1": "Discrimination & Toxicity",
    "1.1": "Unfair discrimination and misrepresentation",
    "1.2": "Exposure to toxic content",
    "1.3": "Unequal performance across groups",
    "2": "Privacy & Security",
    "2.1": (
        "Compromise of privacy by obtaining, leaking or correctly inferring sensitive information"
    ),
    "2.2": "AI system security vulnerabilities and attacks",
    "3": "Misinformation",
    "3.1": "False or misleading information",
    "3.2": "Pollution of information ecosystem and loss of consensus reality",
    "4": "Malicious Actors & Misuse",
    "4.1": "Disinformation, surveillance, and influence at scale",
    "4.2": "Cyberattacks, weapon development or use, and mass harm",
    "4.3": "Fraud, scams, and targeted manipulation",
    "5": "Human-Computer Interaction",
    "5.1": "Overreliance and unsafe use",
    "5.2": "Loss of human agency and autonomy",
    "6": "Socioeconomic & Environmental",
    "6.1": "Power centralization and unfair distribution of benefits",
    "6.2": "Increased inequality and decline in employment quality",
    "6.3": "Economic and cultural devaluation of human effort",
    "6.4": "Competitive dynamics",
    "6.5": "Governance failure",
    "6.6": "Environmental harm",
    "7": "AI System Safety, Failures & Limitations",
    "7.1": "AI pursuing its own goals in conflict with human goals or values",
    "7.2": "AI possessing dangerous capabilities",
    "7.3": "Lack of capability or robustness",
    "7.4": "Lack of transparency or interpretability",
    "7.5": "AI welfare and rights",
    "7.6": "Multi-agent risks",
}
MIT_TAXONOMY_SOURCE = (
    'Slattery et al., "The AI Risk Repository", arXiv:2408.12622 (database v3, 26 March 2025)'
)
#: Codes a register row may use: subdomains only (a domain code is too coarse to act on).
SUBDOMAINS: tuple[str, ...] = tuple(code for code in MIT_TAXONOMY if "." in code)

#: The source article's four categories, then the race itself, in reading order.
CATEGORIES: tuple[str, ...] = (
    "Model Robustness",
    "Alignment Complexity",
    "Societal Disruption",
    "Weaponization",
    "Competitive Dynamics",
)
TRENDS: tuple[str, ...] = ("rising", "stable", "falling")
ACTORS: tuple[str, ...] = ("US", "China", "global")
ACTOR_SEPARATOR = ";"
#: The scale of every score: 1 (lowest) to 5 (highest).
SCALE_MIN, SCALE_MAX = 1, 5

REGISTER_COLUMNS: tuple[str, ...] = (
    "id",
    "title",
    "description",
    "category",
    "subdomain",
    "likelihood_low",
    "likelihood_mode",
    "likelihood_high",
    "impact_low",
    "impact_mode",
    "impact_high",
    "trend",
    "actors",
    "basis",
    "last_reviewed",
)
SCORE_COLUMNS: tuple[str, ...] = REGISTER_COLUMNS[5:11]

#: Urgency words the article uses, lowest first. They are the same words as the risk bands.
URGENCY_LEVELS: tuple[str, ...] = ("Low", "Moderate", "High", "Critical")
URGENCY_COLUMNS: tuple[str, ...] = ("category", "urgency", "source", "locator", "quote")


def urgency_range(text: str) -> tuple[str, str] | None:
    """An urgency rating as its (lowest, highest) level: 'High' -> ('High', 'High'),
    'Moderate to High' -> ('Moderate', 'High'). None if it is not a rating this scale knows."""
    parts = [p.strip() for p in text.split(" to ")]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(p in URGENCY_LEVELS for p in parts):
        return None
    lo, hi = parts
    if URGENCY_LEVELS.index(lo) > URGENCY_LEVELS.index(hi):
        return None
    return lo, hi


def load_register(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Load and validate the risk register.

    Returns one row per risk with the six scores as ``int``, ``actors`` as a tuple of names,
    ``last_reviewed`` as a date, a default RangeIndex, and the spreadsheet row kept in
    ``row`` for messages.
    """
    path = Path(path)
    frame = read_table(path, REGISTER_COLUMNS)
    problems = Problems(path)

    matching(frame, "id", r"[A-Za-z0-9][A-Za-z0-9_-]*", "letters, digits, '-' or '_'", problems)
    unique(frame, "id", problems)
    for field in ("title", "description", "basis"):
        non_empty(frame, field, problems)
    choices(frame, "category", CATEGORIES, problems)
    for row, code in frame["subdomain"].items():
        if code not in SUBDOMAINS:
            if code in MIT_TAXONOMY:
                subs = ", ".join(c for c in SUBDOMAINS if c.startswith(code + "."))
                hint = f"'{code}' is a domain; give one of its subdomains ({subs})"
            else:
                hint = f"'{code}' is not an MIT AI Risk Repository subdomain code (1.1 to 7.6)"
            problems.add(hint, row=row, field="subdomain")
    scores = {c: integers(frame, c, problems, SCALE_MIN, SCALE_MAX) for c in SCORE_COLUMNS}
    for scale in ("likelihood", "impact"):
        lo, mode, hi = (scores[f"{scale}_{p}"] for p in ("low", "mode", "high"))
        for row in frame.index:
            a, b, c = lo[row], mode[row], hi[row]
            if a is None or b is None or c is None:
                continue
            if a > b:
                problems.add(
                    f"{scale}_low ({a}) is above {scale}_mode ({b}); need low ≤ mode ≤ high",
                    row=row,
                    field=f"{scale}_low",
                )
            if b > c:
                problems.add(
                    f"{scale}_mode ({b}) is above {scale}_high ({c}); need low ≤ mode ≤ high",
                    row=row,
                    field=f"{scale}_high",
                )
    choices(frame, "trend", TRENDS, problems)
    actors = lists(frame, "actors", ACTORS, problems, sep=ACTOR_SEPARATOR)
    reviewed = dates(frame, "last_reviewed", problems)
    problems.raise_if_any()

    out = frame.copy()
    for c in SCORE_COLUMNS:
        out[c] = scores[c].astype(int)
    out["actors"] = actors
    out["last_reviewed"] = reviewed
    out = out.reset_index()
    return out[[*REGISTER_COLUMNS, "row"]]


def load_urgency(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Load and validate the article's urgency per category.

    Adds ``urgency_low`` and ``urgency_high``: the rating as a range of band names, so
    "Moderate to High" can be compared with a single band.
    """
    path = Path(path)
    frame = read_table(path, URGENCY_COLUMNS)
    problems = Problems(path)
    choices(frame, "category", CATEGORIES, problems)
    unique(frame, "category", problems)
    for field in ("source", "locator", "quote"):
        non_empty(frame, field, problems)
    ranges: dict[int, tuple[str, str] | None] = {}
    for row, text in frame["urgency"].items():
        ranges[row] = urgency_range(text)
        if ranges[row] is None:
            problems.add(
                f"must be one of {', '.join(URGENCY_LEVELS)} or a range such as "
                f"'Moderate to High'; got '{text}'",
                row=row,
                field="urgency",
            )
    problems.raise_if_any()
    out = frame.copy()
    out["urgency_low"] = [ranges[r][0] for r in frame.index]
    out["urgency_high"] = [ranges[r][1] for r in frame.index]
    return out.reset_index()
