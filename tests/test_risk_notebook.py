"""The risk summary notebook, executed with papermill on a small register."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from projects import execute_section, shown

from riskbrief import diff
from riskbrief.register import REGISTER_COLUMNS, URGENCY_COLUMNS

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "risk_summary.ipynb"

RISKS = [
    # id, category, subdomain, likelihood (low, mode, high), impact (low, mode, high)
    ("W1", "Weaponization", "4.2", (3, 4, 5), (4, 5, 5)),
    ("W2", "Weaponization", "4.2", (2, 3, 4), (2, 3, 4)),
    ("M1", "Model Robustness", "7.3", (2, 3, 4), (3, 3, 4)),
    ("C1", "Competitive Dynamics", "6.4", (1, 2, 3), (1, 2, 2)),
]


def write_inputs(folder: Path, risks=RISKS) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    register = folder / "risk_register.csv"
    with register.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(REGISTER_COLUMNS)
        for rid, cat, sub, like, imp in risks:
            w.writerow(
                [
                    rid,
                    f"Risk {rid}",
                    "A test risk.",
                    cat,
                    sub,
                    *like,
                    *imp,
                    "rising",
                    "US;China",
                    "Analyst judgement, illustrative",
                    "2026-11-01",
                ]
            )
    urgency = folder / "article_urgency.csv"
    with urgency.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(URGENCY_COLUMNS)
        w.writerow(
            ["Weaponization", "Critical", "Article", "risk table", "Weaponization | Critical"]
        )
        w.writerow(["Model Robustness", "High", "Article", "risk table", "Model Robustness | High"])
    return register, urgency


def run(tmp_path: Path, name: str, register: Path, urgency: Path):
    return execute_section(
        NOTEBOOK,
        tmp_path,
        name,
        {
            "briefing": "test",
            "as_of": "2026-11-27",
            "seed": 42,
            "risk_register_path": str(register),
            "urgency_path": str(urgency),
            "draws": 2000,
            "top_n": 3,
        },
    )


def test_committed_notebook_is_clean_and_follows_the_contract():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("## Risk summary")
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name in (
        "briefing",
        "as_of",
        "seed",
        "results_path",
        "risk_register_path",
        "urgency_path",
        "draws",
        "top_n",
    ):
        assert f"{name} = " in params[0].source
    assert nb.metadata.kernelspec.name == "python3"
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None
            assert "plt.show" not in c.source and "print(" not in c.source


@pytest.mark.slow
def test_risk_summary_runs_and_writes_results(tmp_path):
    register, urgency = write_inputs(tmp_path / "data")
    res, nb = run(tmp_path, "first", register, urgency)

    assert res["section"] == "risk_summary"
    head = res["headline"]
    assert head["n_risks"] == 4 and head["top_risk_id"] == "W1"
    assert head["critical_categories"] == ["Weaponization"]
    assert head["n_categories_rated_by_article"] == 2
    # Weaponization agrees (Critical); Model Robustness is Moderate (3 x 3) against High
    assert head["n_categories_agreeing_with_article"] == 1
    assert res["categories"]["Model Robustness"]["agreement"] == "lower"
    assert head["seed"] == 42

    assert set(res["risks"]) == {"W1", "W2", "M1", "C1"}
    w1 = res["risks"]["W1"]
    assert w1["band"] == "Critical" and w1["p10"] <= w1["median"] <= w1["p90"]
    assert 0 < w1["p_critical"] <= 1

    [kj] = res["key_judgments"]
    assert kj["anchor"] == "risk-summary" and "Weaponization" in kj["text"]
    assert kj["interval"][0] <= kj["value"] <= kj["interval"][1]
    assert "PERT" in res["methods"]["Sampling"]

    items = shown(nb)
    keys = [i["key"] for i in items]
    assert keys == ["risk-heatmap", "risk-top", "risk-categories"]
    assert all(i["source"] for i in items)
    figures = [i for i in items if i["kind"] == "figure"]
    assert all("W1" in i["alt"] or "Weaponization" in i["alt"] for i in figures)


@pytest.mark.slow
def test_second_edition_changes_are_found_by_the_change_log(tmp_path):
    register, urgency = write_inputs(tmp_path / "v1")
    first, _ = run(tmp_path, "v1", register, urgency)
    # W2 rises to High (3 x 4), C1 is retired, N1 is new
    changed = [r for r in RISKS if r[0] != "C1"]
    changed[1] = ("W2", "Weaponization", "4.2", (2, 3, 4), (3, 4, 5))
    changed.append(("N1", "Alignment Complexity", "7.1", (1, 2, 3), (4, 5, 5)))
    register2, urgency2 = write_inputs(tmp_path / "v2", changed)
    second, nb = run(tmp_path, "v2", register2, urgency2)

    old = diff.Edition(1, {}, {}, {}, {"risk_summary": first})
    new = diff.Edition(2, {"sections": ["risk_summary"]}, {}, {}, {"risk_summary": second})
    blocks = dict(diff.lines(diff.compare(old, new)))
    assert sorted(blocks["Risk bands"]) == [
        "C1 Risk C1: retired (was Low)",
        "N1 Risk N1: new, High",
        "W2 Risk W2: Moderate → High",
    ]
    # unchanged risks keep their numbers: each risk has its own random stream
    assert second["risks"]["W1"] == first["risks"]["W1"]
    # the section itself has no change log of its own: the briefing's one comparator does it
    assert "risk-changes" not in [i["key"] for i in shown(nb)]
