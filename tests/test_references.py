"""The numbered reference list and the assumptions log that feed the methods appendix."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskbrief import assumptions, references
from riskbrief.errors import InputError

ROOT = Path(__file__).parents[1]


def test_indicator_sources_become_references_with_urls() -> None:
    refs = references.from_indicators(ROOT / "data" / "indicators.csv")
    citations = {r.citation: r.url for r in refs}
    assert "Stanford HAI, AI Index Report 2025 (8th ed., Apr 2025)" in citations
    assert all(url and url.startswith("https://") for url in citations.values())
    assert len(citations) == len(refs)  # one reference per distinct source


def test_missing_indicators_file_gives_no_references(tmp_path: Path) -> None:
    assert references.from_indicators(tmp_path / "none.csv") == []


def test_numbered_in_order_of_first_citation_and_cited_by_items() -> None:
    refs = [
        references.Reference("a", "Paper A"),
        references.Reference("b", "Paper B"),
        references.Reference("c", "Paper C"),
    ]
    items = [{"cites": ["b"]}, {"cites": ["a", "b"]}, {"cites": []}]
    numbered = references.number(refs, items)
    assert [(n, r.key) for n, r in numbered] == [(1, "b"), (2, "a"), (3, "c")]
    assert [it["refs"] for it in items] == [[1], [1, 2], []]


def test_citing_a_reference_the_briefing_does_not_list_is_an_error() -> None:
    with pytest.raises(ValueError, match="cites nope"):
        references.number([references.Reference("a", "Paper A")], [{"key": "x", "cites": ["nope"]}])


def test_registry_holds_the_model_papers_once_and_the_article() -> None:
    from riskbrief.models import MODELS

    keys = set(references.REGISTRY)
    assert {"source-article", "model-racing", "model-dsair", "model-richardson", "icd-203"} <= keys
    for m in MODELS.values():
        assert references.get(m.reference_key).citation == m.citation
    listed = [r.key for r in references.listed(["model-racing"])]
    assert listed == ["source-article", "model-racing", "icd-203"]


def test_indicator_source_keys_are_stable_and_distinct() -> None:
    refs = references.from_indicators(ROOT / "data" / "indicators.csv")
    assert len({r.key for r in refs}) == len(refs)
    assert all(r.key == references.source_key(r.citation) for r in refs)


def test_project_assumptions_log_is_valid() -> None:
    rows = assumptions.load_assumptions(ROOT / "docs" / "assumptions.md")
    assert len(rows) >= 10
    assert {r["Quality"] for r in rows} <= set(assumptions.RATINGS)
    assert all(r["Assumption"] and r["Used in"] for r in rows)


def _log(
    tmp_path: Path, rows: str, header: str = "| ID | Assumption | Used in | Quality | Impact |"
) -> Path:
    p = tmp_path / "assumptions.md"
    p.write_text(f"# Assumptions\n\n{header}\n|---|---|---|---|---|\n{rows}", encoding="utf-8")
    return p


def test_bad_rating_names_file_line_and_column(tmp_path: Path) -> None:
    p = _log(tmp_path, "| A1 | x | y | Green | Orange |\n")
    with pytest.raises(InputError) as exc:
        assumptions.load_assumptions(p)
    msg = str(exc.value)
    assert (
        "assumptions.md" in msg and "row 5" in msg and "field 'Impact'" in msg and "Orange" in msg
    )


def test_wrong_columns_and_duplicate_ids(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="columns must be"):
        assumptions.load_assumptions(
            _log(
                tmp_path,
                "| A1 | x | y | Green |\n",
                header="| ID | Assumption | Used in | Quality |",
            )
        )
    with pytest.raises(InputError, match="duplicate id 'A1'"):
        assumptions.load_assumptions(
            _log(tmp_path, "| A1 | x | y | Green | Red |\n| A1 | z | y | Green | Red |\n")
        )


def test_markdown_keeps_ratings_as_words() -> None:
    md = assumptions.markdown(
        [{"ID": "A1", "Assumption": "a | b", "Used in": "x", "Quality": "Red", "Impact": "Green"}]
    )
    assert "| A1 | a \\| b | x | Red | Green |" in md


def test_used_in_names_sections_by_their_label() -> None:
    """ "Implications and options" is the implications section, "Risk summary (scenario
    briefings)" the risk summary; "Key judgments" is no section and is always printed."""
    rows = [
        {"ID": "A1", "Used in": "Implications and options"},
        {"ID": "A2", "Used in": "Risk summary (scenario briefings)"},
        {"ID": "A3", "Used in": "Key judgments"},
        {"ID": "A4", "Used in": "Context and Scenarios"},
    ]
    known = ["context", "risk_summary", "scenarios", "implications"]

    def ids(included: list[str]) -> list[str]:
        return [r["ID"] for r in assumptions.used_rows(rows, included, known)]

    assert ids(["context"]) == ["A3", "A4"]
    assert ids(["implications"]) == ["A1", "A3"]
    assert ids(["risk_summary"]) == ["A2", "A3"]
    assert ids(["scenarios"]) == ["A3", "A4"]


def test_judgment_resting_on_an_unlisted_assumption_names_the_log() -> None:
    from riskbrief.assemble import rate_confidence

    rows = [{"ID": "A1", "Quality": "Green", "Impact": "Amber", "Used in": "Context"}]
    kjs = [{"text": "Compute doubles yearly.", "assumptions": ["A1", "A9"]}]
    with pytest.raises(InputError) as exc:
        rate_confidence(kjs, rows)
    assert "docs/assumptions.md" in str(exc.value) and "A9" in str(exc.value)
    kjs[0]["assumptions"] = ["A1"]
    rate_confidence(kjs, rows)
    assert kjs[0]["confidence"]
