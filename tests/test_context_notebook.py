"""The context notebook, executed with papermill on the project's indicators and on a copy."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from projects import execute_section

from riskbrief import diff, indicators
from riskbrief.charts import context as ctx

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "notebooks" / "context.ipynb"
INDICATORS = ROOT / "data" / "indicators.csv"


def run(tmp_path: Path, name: str, indicators: Path = INDICATORS):
    return execute_section(
        NOTEBOOK,
        tmp_path,
        name,
        {
            "briefing": "test",
            "as_of": "2026-11-27",
            "seed": 1,
            "indicators_path": str(indicators),
        },
    )


def test_committed_notebook_is_clean_and_follows_the_contract():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.cells[0].source.startswith("## Context: the US\u2013China AI race in numbers")
    [params] = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    for name in (
        "briefing",
        "as_of",
        "seed",
        "results_path",
        "indicators_path",
    ):
        assert f"{name} = " in params.source
    assert nb.metadata.kernelspec.name == "python3"
    assert all(c.outputs == [] for c in nb.cells if c.cell_type == "code")


def test_every_chart_has_a_source_line_naming_its_rows():
    ind = indicators.load_indicators(INDICATORS)
    for chart in ctx.CHART_INDICATORS:
        rows = ctx.chart_rows(ind, chart)
        line = ctx.source_line(rows)
        for fact_id in rows["fact_id"]:
            assert fact_id in line
        for source in rows["source"]:
            assert source in line
    investment = ctx.source_line(ctx.chart_rows(ind, "investment"))
    assert "\u2020 Secondary figure" in investment and "F054" in investment


def test_secondary_figures_are_flagged_on_the_chart():
    ind = indicators.load_indicators(INDICATORS)
    fig = ctx.investment_chart(ind)
    labels = [t.get_text() for ax in fig.axes for t in ax.texts]
    secondary = ind[
        (ind["indicator"] == "Private AI investment") & (ind["evidence"] == "secondary")
    ]
    assert sum(label.endswith(ctx.DAGGER) for label in labels) == len(secondary) > 0
    plt.close(fig)


@pytest.mark.slow
def test_context_runs_and_writes_results(tmp_path):
    res, nb = run(tmp_path, "context")
    assert res["section"] == "context"
    head = res["headline"]
    assert head["models_2024_us"] == 40 and head["models_2024_china"] == 15
    assert head["investment_ratio_2024"] == pytest.approx(109.08 / 9.29, abs=1e-4)
    assert head["benchmark_gap_median_end_2024"] == pytest.approx(2.65)
    kjs = res["key_judgments"]
    assert [k["anchor"] for k in kjs] == ["context", "context"]
    assert kjs[0]["interval"] == [0.3, 8.1]
    items = [
        o["metadata"]["riskbrief"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "riskbrief" in o.get("metadata", {})
    ]
    assert [i["key"] for i in items] == [
        "ctx-models",
        "ctx-investment",
        "ctx-research",
        "ctx-benchmarks",
    ]
    assert all(i["source"] and i["alt"] and i["cites"] for i in items)


@pytest.mark.slow
def test_context_on_edited_indicators_reports_changes(tmp_path):
    first, _ = run(tmp_path, "v1")
    edited = pd.read_csv(INDICATORS, dtype=str, keep_default_na=False)
    row = edited["id"] == "models-2024-cn"
    assert row.sum() == 1
    edited.loc[row, "value"] = "20"
    path = tmp_path / "indicators.csv"
    edited.to_csv(path, index=False)
    second, _ = run(tmp_path, "v2", indicators=path)
    assert second["headline"]["models_2024_china"] == 20
    assert first["headline"]["models_2024_china"] == 15
    old = diff.Edition(1, {}, {}, {}, {"context": first})
    new = diff.Edition(2, {"sections": ["context"]}, {}, {}, {"context": second})
    figures = dict(diff.lines(diff.compare(old, new)))["Context figures"]
    assert "models 2024 china: 15 → 20" in figures
