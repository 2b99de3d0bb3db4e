"""The glossary (``docs/glossary.yaml``): every model name, parameter, measure and abbreviation a
briefing uses, defined once in plain words. The methods appendix of every briefing prints the
entries its sections use.

Each entry::

    - term: Enmity (e)
      definition: In the racing model, how much worse a team finds the rival's safe AI ...
      sections: [scenarios]          # or [all]

Errors name the file, the entry and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from riskbrief.errors import InputError, Problems
from riskbrief.readers import read_yaml

FIELDS = ("term", "definition", "sections")


def load_glossary(path: Path) -> list[dict[str, Any]]:
    """The entries of a glossary file, validated, in file order."""
    doc = read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("terms"), list) or not doc["terms"]:
        raise InputError(path, "expected a 'terms' list of entries (term, definition, sections)")
    problems = Problems(path)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, e in enumerate(doc["terms"], 1):
        where = f"terms.{i}"
        if not isinstance(e, dict):
            problems.add(f"entry {i} must be a mapping of {', '.join(FIELDS)}", field=where)
            continue
        for k in e:
            if k not in FIELDS:
                problems.add(f"unknown field (allowed: {', '.join(FIELDS)})", field=f"{where}.{k}")
        term, definition, secs = e.get("term"), e.get("definition"), e.get("sections")
        if not isinstance(term, str) or not term.strip():
            problems.add("must be non-empty text", field=f"{where}.term")
            continue
        if term.lower() in seen:
            problems.add(f"'{term}' is defined twice", field=f"{where}.term")
        seen.add(term.lower())
        if not isinstance(definition, str) or not definition.strip():
            problems.add("must be non-empty text", field=f"{where}.definition")
        if not isinstance(secs, list) or not secs or not all(isinstance(x, str) for x in secs):
            problems.add("must list section names, or [all]", field=f"{where}.sections")
            continue
        out.append(
            {"term": term.strip(), "definition": " ".join(definition.split()), "sections": secs}
        )
    problems.raise_if_any(sort=False)
    return out


def for_sections(entries: list[dict[str, Any]], sections: list[str]) -> list[dict[str, Any]]:
    """The entries a briefing with ``sections`` uses, sorted by term."""
    wanted = set(sections) | {"all"}
    return sorted(
        (e for e in entries if wanted & set(e["sections"])), key=lambda e: e["term"].lower()
    )
