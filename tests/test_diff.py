"""What changed between editions: pure comparisons, the briefing section, and `riskbrief diff`."""

from __future__ import annotations

import csv
import html as htmlmod
import re
from pathlib import Path

import pytest
from projects import copy_project, run_here

from riskbrief import diff, sections


def _edition(
    tmp: Path, version: int, register: str, results: dict | None = None, params: dict | None = None
):
    f = tmp / f"v{version}-register.csv"
    f.write_text(register, encoding="utf-8")
    return diff.Edition(
        version,
        params or {"title": "T", "risk": {"draws": 100}},
        {"data/risk_register.csv": str(hash(register)), "riskbrief/x.py": "same"},
        {"data/risk_register.csv": f},
        results or {},
    )


def test_params_changes_name_nested_fields() -> None:
    out = diff.params_changes(
        {"title": "A", "risk": {"draws": 100, "top_n": 5}},
        {"title": "A", "risk": {"draws": 200, "top_n": 5}},
    )
    assert out == [{"field": "risk.draws", "old": 100, "new": 200}]


def test_data_rows_added_removed_edited_by_id(tmp_path: Path) -> None:
    old = _edition(tmp_path, 1, "id,title,score\nR1,a,1\nR2,b,2\n")
    new = _edition(tmp_path, 2, "id,title,score\nR1,a,3\nR3,c,2\n")
    [d] = diff.data_changes(old, new)
    assert d["file"] == "data/risk_register.csv"
    assert d["added"] == ["R3"] and d["removed"] == ["R2"]
    assert d["edited"] == [{"id": "R1", "fields": [{"field": "score", "old": "1", "new": "3"}]}]


def test_unchanged_file_is_not_listed(tmp_path: Path) -> None:
    same = "id,title\nR1,a\n"
    assert diff.data_changes(_edition(tmp_path, 1, same), _edition(tmp_path, 2, same)) == []


def test_risk_bands_new_and_retired() -> None:
    [bands] = [c for c in sections.get("risk_summary").comparables if c.group == "Risk bands"]
    old = {"risks": {"R1": {"title": "a", "band": "Low"}, "R2": {"title": "b", "band": "High"}}}
    new = {
        "risks": {
            "R1": {"title": "a", "band": "Critical"},
            "R3": {"title": "c", "band": "Moderate"},
        }
    }
    rows = diff.comparable_changes(bands, old, new)
    assert [(r["label"], r["old"], r["new"], r["status"]) for r in rows] == [
        ("R1 a", "Low", "Critical", "changed"),
        ("R3 c", None, "Moderate", "new"),
        ("R2 b", "High", None, "retired"),
    ]


def _scenario_results(median: float, p10: float = 0.7) -> dict:
    return {
        "headline": {
            "scenarios": {
                "arms-race": {
                    "title": "Arms race",
                    "disaster_median": median,
                    "disaster_p10": p10,
                    "disaster_p90": 0.9,
                }
            }
        }
    }


def test_scenario_numbers_old_to_new_changes_only_unless_all() -> None:
    old = diff.Edition(1, {}, {}, {}, {"scenarios": _scenario_results(0.8)})
    new = diff.Edition(2, {}, {}, {}, {"scenarios": _scenario_results(0.6)})
    changes = diff.compare(old, new)
    text = diff.to_text(changes, "x")
    assert "Arms race — P(unsafe first AI), median: 80.0% → 60.0%" in text
    assert "10th percentile" not in text  # unchanged numbers are left out
    full = diff.to_text(changes, "x", show_all=True)
    assert "Arms race — 10th percentile: 70.0% → 70.0% (unchanged)" in full


def test_moves_below_the_noise_threshold_are_not_changes() -> None:
    old = diff.Edition(1, {}, {}, {}, {"scenarios": _scenario_results(0.800)})
    new = diff.Edition(2, {}, {}, {}, {"scenarios": _scenario_results(0.803)})
    blocks = dict(diff.lines(diff.compare(old, new)))
    assert "Scenario headline numbers" not in blocks
    assert blocks["Results"] == ["No headline number, band or verdict changed."]


def test_first_edition_has_no_change_section() -> None:
    assert diff.to_markdown(None) == ""  # the cover says "first edition", once


def test_markdown_escapes_data_text(tmp_path: Path) -> None:
    old = _edition(tmp_path, 1, "id,title\nR1,a\n")
    new = _edition(tmp_path, 2, "id,title\nR1,<script>alert(1)</script>\n")
    md = diff.to_markdown(diff.compare(old, new))
    assert "<script>" not in md and "&lt;script&gt;" in md


# --- two real builds ---------------------------------------------------------------------------


@pytest.fixture
def project(real_v1: Path, tmp_path: Path) -> Path:
    """A copy of the shared real-sections project, its briefing 'brief' built as v1."""
    return copy_project(real_v1, tmp_path / "project")


def _set_scores(register: Path, rid: str, value: str) -> None:
    with register.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["id"] == rid:
            for k in ("likelihood", "impact"):
                for s in ("low", "mode", "high"):
                    r[f"{k}_{s}"] = value
    with register.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.mark.slow
def test_changed_row_shows_in_v2_and_in_riskbrief_diff(project: Path) -> None:
    v1_html = (project / "reports" / "brief" / "v1" / "brief-v1.html").read_text()
    assert v1_html.count("first edition") == 1 and "v1 — first edition" in v1_html
    assert 'id="what-changed"' not in v1_html

    _set_scores(project / "data" / "risk_register.csv", "R11", "5")
    run_here(project, "build", "brief", check=True)
    html = (project / "reports" / "brief" / "v2" / "brief-v2.html").read_text()
    section = html[
        html.index('id="what-changed"') : html.index("</section>", html.index('id="what-changed"'))
    ]
    text = htmlmod.unescape(re.sub(r"<[^>]+>", " ", section))
    text = re.sub(r"\s+", " ", text)
    assert "What changed since v1" in text
    assert "row R11 edited" in text and "likelihood_mode 2 → 5" in text
    assert "R11 Overreliance on AI advice: Low → Critical" in text
    assert "risks rated Critical: 5 → 6" in text
    assert "Arms race — P(unsafe first AI), median" not in text  # unchanged: not listed

    out = run_here(project, "diff", "brief", "v1", "v2", check=True).stdout
    for line in (ln.strip(" -") for ln in out.splitlines() if ln.startswith("  - ")):
        assert htmlmod.unescape(line) in text, line
    assert run_here(project, "diff", "brief", check=True).stdout == out
    bad = run_here(project, "diff", "brief", "v1", "v7")
    assert bad.returncode == 2 and "no version 7" in bad.stderr
