"""The modelling assumptions log (``docs/assumptions.md``): each assumption with its quality
and impact rating. The methods appendix of every briefing prints the rows that concern it:
a row whose "Used in" names only sections the briefing leaves out (say, "Scenarios" in a
briefing without the scenarios section) is not printed (:func:`used_rows`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from riskbrief.errors import InputError
from riskbrief.readers import read_text

COLUMNS = ("ID", "Assumption", "Used in", "Quality", "Impact")
RATINGS = ("Green", "Amber", "Red")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def load_assumptions(path: Path) -> list[dict[str, str]]:
    """The rows of the assumptions table; errors name the file, the line and the column."""
    lines = read_text(path).splitlines()
    table = [(n, ln) for n, ln in enumerate(lines, 1) if ln.lstrip().startswith("|")]
    if len(table) < 3:
        raise InputError(
            path, "no assumptions table (a Markdown table with a header, a rule and rows)"
        )
    header_line, header = table[0][0], _cells(table[0][1])
    if tuple(header) != COLUMNS:
        raise InputError(
            path,
            f"the table's columns must be {' | '.join(COLUMNS)}, got {' | '.join(header)}",
            row=header_line,
        )
    rows, seen = [], set()
    for n, line in table[2:]:
        cells = _cells(line)
        if len(cells) != len(COLUMNS):
            raise InputError(path, f"expected {len(COLUMNS)} cells, got {len(cells)}", row=n)
        row = dict(zip(COLUMNS, cells, strict=True))
        for col in ("Quality", "Impact"):
            if row[col] not in RATINGS:
                raise InputError(
                    path, f"must be one of {', '.join(RATINGS)}, got {row[col]!r}", row=n, field=col
                )
        if not row["ID"] or row["ID"] in seen:
            raise InputError(path, f"empty or duplicate id {row['ID']!r}", row=n, field="ID")
        seen.add(row["ID"])
        rows.append(row)
    return rows


def _places(used_in: str, sections: set[str]) -> list[str | None]:
    """The sections a "Used in" cell names, ``None`` for a place that is no section ("Key
    judgments"). A place names a section when it begins with the section's label, so
    "Implications and options" is the implications section and "Risk summary (scenario
    briefings)" the risk summary; "Context and Scenarios" names both."""

    def section(place: str) -> str | None:
        return next(
            (
                s
                for s in sorted(sections, key=len, reverse=True)
                if re.match(rf"{re.escape(s)}\b", place)
            ),
            None,
        )

    out: list[str | None] = []
    for place in (p.strip().lower() for p in re.split(r"[,;/]", used_in)):
        if not place:
            continue
        if section(place) is None and " and " in place:
            out += [section(p.strip()) for p in place.split(" and ") if p.strip()]
        else:
            out.append(section(place))
    return out


def used_rows(
    rows: list[dict[str, str]], included: Iterable[str], known: Iterable[str] | None = None
) -> list[dict[str, str]]:
    """The rows a briefing with sections ``included`` prints: those whose "Used in" names one
    of its sections (``risk_summary`` is written "Risk summary"), or names no section at all
    ("Key judgments", anything general). ``known``: every section name (default: the
    registry's and ``included``)."""
    if known is None:
        from riskbrief.sections import REGISTRY

        known = REGISTRY

    def label(name: str) -> str:
        return name.replace("_", " ").replace("-", " ").lower()

    mine = {label(s) for s in included}
    sections = {label(s) for s in known} | mine
    out = []
    for row in rows:
        places = _places(row.get("Used in", ""), sections)
        if not places or any(p is None or p in mine for p in places):
            out.append(row)
    return out


def markdown(rows: list[dict[str, str]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    lines += ["| " + " | ".join(r[c].replace("|", "\\|") for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)
