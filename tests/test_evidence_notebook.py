"""The evidence notebook, executed with papermill on the committed tables."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from projects import execute_section, shown

from riskbrief import datasets, evidence, sections
from riskbrief.register import load_urgency

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "notebooks" / "evidence.ipynb"
SPEC = sections.get("evidence")


def test_committed_notebook_is_clean_and_declares_every_parameter_of_the_spec():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].source.startswith("## Evidence: what the public datasets show")
    [params] = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    for name in ("briefing", "as_of", "seed", "results_path", *(d.parameter for d in SPEC.data)):
        assert f"{name} = " in params.source, name
    for d in SPEC.data:  # defaults relative to the project root, as in the spec
        assert f'{d.parameter} = "{d.default}"' in params.source
    assert [c.id for c in nb.cells] == [str(i) for i in range(len(nb.cells))]
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_evidence_runs_shows_four_charts_and_the_comparison_and_writes_results(tmp_path):
    parameters = {"briefing": "test", "as_of": "2026-11-27", "seed": 1}
    parameters |= {d.parameter: str(ROOT / d.default) for d in SPEC.data}
    res, nb = execute_section(NOTEBOOK, tmp_path, "evidence", parameters)

    items = shown(nb)
    assert [(i["kind"], i["key"]) for i in items] == [
        ("figure", "evidence-incidents"),
        ("table", "evidence-categories"),
        ("figure", "evidence-models"),
        ("figure", "evidence-compute"),
        ("figure", "evidence-capacity"),
    ]
    assert all(i["source"] and i["cites"] and i["caption"] for i in items)
    assert all(len(i["alt"].split()) >= 12 for i in items if i["kind"] == "figure")
    cited = {k for i in items for k in i["cites"]}
    assert {"aiid", "epoch-models", "epoch-clusters", "mit-risk-repository"} <= cited
    assert "CC BY-SA 4.0" in items[0]["source"] and "no release date stated" in items[0]["source"]

    paths = {d.key: ROOT / d.default for d in SPEC.data}
    tables = evidence.load_tables(
        {k: paths[k] for k in (*datasets.TABLES, "category_mapping")},
        load_urgency(paths["urgency"]),
    )
    f = evidence.figures(tables)
    head = res["headline"]
    assert res["section"] == "evidence"
    assert head["incidents_last_complete_year"] == f["incidents_last_complete_year"]
    assert head["partial_year"] == f["partial_year"] and head["window"] == f["window"]
    assert (
        head["categories"]["Alignment Complexity"]["incidents_window"]
        == (f["categories"].set_index("category").loc["Alignment Complexity", "window_total"])
    )
    assert head["capacity_share_us"] == pytest.approx(f["capacity_share_us"], abs=1e-4)
    kjs = res["key_judgments"]
    assert len(kjs) == 2 and all(k["anchor"] == "evidence" and k["assumptions"] for k in kjs)
    assert set(res["methods"]) >= {"Datasets and licences", "Mapping the article's categories"}
    text = "\n".join(
        o.get("data", {}).get("text/markdown", "") for c in nb.cells for o in c.get("outputs", [])
    )
    assert (
        f"{f['incidents_last_complete_year']:,} AI incidents in {f['last_complete_year']}" in text
    )
    assert "no large-scale-models table" in text
