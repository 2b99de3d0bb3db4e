"""The scenarios notebook, executed with papermill with few draws."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill
import pytest
from projects import execute_section, shown

from riskbrief.narrative import estimative_phrase

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "scenarios.ipynb"
SHOWN = ["arms-race", "managed-competition", "safety-race"]
FIGURES = [
    "scen-comparison",
    "scen-precipice",
    "scen-tornado",
    "scen-sobol",
    "scen-dsair",
    "scen-richardson",
]


def run(tmp_path: Path, name: str, **params):
    return execute_section(
        NOTEBOOK,
        tmp_path,
        name,
        {
            "briefing": "test",
            "as_of": "2026-11-27",
            "seed": 7,
            "draws": 2000,
            "horizon_years": 10,
            "sobol_samples": 64,
            "sobol_bootstrap": 50,
            **params,
        },
    )


def anchors(nb) -> set[str]:
    """Anchors in the markdown cells and in the markdown the code cells display (the
    audience's subsections are written by code)."""
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    text += "\n".join(
        o.get("data", {}).get("text/markdown", "") for c in nb.cells for o in c.get("outputs", [])
    )
    return set(re.findall(r'<a id="([a-z0-9-]+)"></a>', text))


def test_committed_notebook_is_clean_and_follows_the_contract():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("## Scenarios")
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    defaults = {}
    exec(params[0].source, {}, defaults)  # the defaults run top to bottom in JupyterLab
    assert defaults == {
        "briefing": "baseline",
        "as_of": "2026-11-27",
        "seed": 20261127,
        "role": "policy",
        "results_path": None,
        "scenarios_path": "data/scenarios.yaml",
        "scenarios_shown": SHOWN,
        "focus": "arms-race",
        "horizon_years": 30,
        "draws": 200000,
        "sobol_samples": 512,
        "sobol_bootstrap": 200,
    }
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.kernelspec.display_name == "Python 3 (ipykernel)"
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None
            assert "plt.show" not in c.source and "print(" not in c.source
        else:
            for line in c.source.splitlines():
                if line.startswith("#"):
                    assert line.startswith(("## ", "### "))
            # The briefing links a key judgment to the heading its anchor sits under.
            if "<a id=" in c.source:
                assert c.source.startswith("### ")
                assert c.source.index("### ") < c.source.index("<a id=")


@pytest.mark.slow
def test_scenarios_notebook_runs_and_writes_results(tmp_path):
    res, nb = run(tmp_path, "baseline")
    assert res["section"] == "scenarios"
    head = res["headline"]
    assert list(head["scenarios"]) == SHOWN
    for sid in SHOWN:
        s = head["scenarios"][sid]
        q = [s[f"disaster_{k}"] for k in ("p2_5", "p10", "median", "p90", "p97_5")]
        assert q == sorted(q) and 0 <= q[0] and q[-1] <= 1
        assert s["richardson_stability"] in {"stable", "runaway"}
        assert s["dsair_zone"] in {"compliance", "dilemma", "innovation"}
    arms, safe = head["scenarios"]["arms-race"], head["scenarios"]["safety-race"]
    assert arms["disaster_median"] > safe["disaster_median"]
    assert arms["richardson_stability"] == "runaway" and safe["richardson_stability"] == "stable"
    comp = head["comparison"]
    assert (comp["numerator"], comp["denominator"]) == ("arms-race", "safety-race")
    assert 1 < comp["ratio_p10"] <= comp["ratio_median"] <= comp["ratio_p90"]
    # the seed is the scenario file's (one stream per scenario file, whatever the briefing)
    assert head["seed"] == 20261127 and head["draws"] == 2000

    kjs = res["key_judgments"]
    assert 1 <= len(kjs) <= 4
    ids = anchors(nb)
    for kj in kjs:
        assert kj["anchor"] in ids
        assert kj["phrase"] == estimative_phrase(kj["probability"]) and kj["phrase"] in kj["text"]
        assert kj["interval"][0] <= kj["value"] <= kj["interval"][1]
    for key in (
        "The racing model",
        "The DSAIR model",
        "Richardson's model",
        "Sampling",
        "Scenarios",
    ):
        assert res["methods"][key]
    assert "Enmity must be above zero" in res["methods"]["The racing model"]
    assert "N = 64" in res["methods"]["Global sensitivity"]
    sob = res["sobol"]
    assert (sob["samples"], sob["resamples"]) == (64, 50)
    assert set(sob["scenarios"]) == set(SHOWN)
    assert set(sob["scenarios"]["arms-race"]) == {"disaster", "unsafe_share"}

    items = shown(nb)
    keys = [i["key"] for i in items]
    assert [k for k in keys if k in FIGURES] == FIGURES
    assert len(keys) == len(set(keys)) and all(k.startswith("scen-") for k in keys)
    for i in items:
        assert i["source"] and i["caption"]
    figures = {i["key"]: i for i in items if i["kind"] == "figure"}
    assert "Armstrong" in figures["scen-precipice"]["source"]
    assert "Han" in figures["scen-dsair"]["source"]
    assert "Richardson" in figures["scen-richardson"]["source"]
    assert "Arms race" in figures["scen-comparison"]["alt"]
    # nothing but reader-facing outputs: no warnings, prints or errors
    for c in nb.cells:
        for o in c.get("outputs", []):
            assert o["output_type"] == "display_data", o


@pytest.mark.slow
def test_variant_with_two_scenarios(tmp_path):
    first, _ = run(tmp_path, "v1")
    res, _ = run(
        tmp_path,
        "v2",
        scenarios_shown=["arms-race", "managed-competition"],
        focus="managed-competition",
    )
    head = res["headline"]
    assert list(head["scenarios"]) == ["arms-race", "managed-competition"]
    assert head["comparison"]["denominator"] == "managed-competition"
    assert head["focus"] == "managed-competition"
    # paired, seeded draws: a scenario's numbers do not depend on which others are shown
    assert head["scenarios"]["arms-race"] == first["headline"]["scenarios"]["arms-race"]


@pytest.mark.slow
def test_unknown_scenario_fails_with_a_clear_message(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as exc:
        run(tmp_path, "bad", scenarios_shown=["arms-race", "cold-peace"])
    assert "unknown scenario 'cold-peace'" in str(exc.value)
    assert "scenarios.yaml" in str(exc.value)
