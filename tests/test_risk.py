"""Risk scoring on tiny frames: bands, sampling, roll-up, prose, charts."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from riskbrief import risk
from riskbrief.charts import risk as risk_charts
from riskbrief.narrative import ICD203_SCALE, mc_score
from riskbrief.narrative import risk as words
from riskbrief.register import load_register, load_urgency

DATA = Path(__file__).parents[1] / "data"


def make_register(*rows: tuple) -> pd.DataFrame:
    """Rows of (id, category, (L low, mode, high), (I low, mode, high))."""
    records = []
    for rid, cat, (ll, lm, lh), (il, im, ih) in rows:
        records.append(
            {
                "id": rid,
                "title": f"Risk {rid}",
                "category": cat,
                "subdomain": "7.3",
                "trend": "stable",
                "likelihood_low": ll,
                "likelihood_mode": lm,
                "likelihood_high": lh,
                "impact_low": il,
                "impact_mode": im,
                "impact_high": ih,
            }
        )
    return pd.DataFrame(records)


def urgency(**by_category: str) -> pd.DataFrame:
    rows = []
    for cat, text in by_category.items():
        lo, _, hi = text.partition(" to ")
        rows.append(
            {
                "category": cat.replace("_", " "),
                "urgency": text,
                "urgency_low": lo,
                "urgency_high": hi or lo,
            }
        )
    return pd.DataFrame(rows)


TINY = make_register(
    ("A", "Weaponization", (4, 5, 5), (4, 5, 5)),
    ("B", "Weaponization", (2, 3, 4), (2, 3, 4)),
    ("C", "Model Robustness", (3, 3, 3), (4, 4, 4)),
    ("D", "Model Robustness", (1, 2, 3), (1, 1, 2)),
)


# --- bands -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "name"),
    [
        (1, "Low"),
        (4, "Low"),
        (4.99, "Low"),
        (5, "Moderate"),
        (9, "Moderate"),
        (9.99, "Moderate"),
        (10, "High"),
        (15, "High"),
        (15.99, "High"),
        (16, "Critical"),
        (25, "Critical"),
    ],
)
def test_band_thresholds(score, name):
    assert risk.band(score) == name


def test_bands_cover_every_whole_score_once():
    covered = [s for b in risk.BANDS for s in range(b.lower, b.upper + 1)]
    assert covered == list(range(1, 26))
    # Critical needs both scales at 4 or above
    critical = {
        (li, im) for li in range(1, 6) for im in range(1, 6) if risk.band(li * im) == "Critical"
    }
    assert critical == {(4, 4), (4, 5), (5, 4), (5, 5)}


def test_band_index_is_vectorised():
    assert risk.band_index(np.array([1.0, 5.0, 12.0, 16.0])).tolist() == [0, 1, 2, 3]


# --- sampling --------------------------------------------------------------------------------


def test_pert_draws_stay_in_range_and_centre_on_the_pert_mean():
    rng = np.random.default_rng(1)
    x = risk.sample_pert(rng, [1, 2], [2, 4], [5, 5], 20_000)
    assert x.shape == (20_000, 2)
    assert (x[:, 0] >= 1).all() and (x[:, 0] <= 5).all()
    # PERT mean is (low + 4 mode + high) / 6
    assert x.mean(axis=0) == pytest.approx([(1 + 8 + 5) / 6, (2 + 16 + 5) / 6], abs=0.02)


def test_sampling_is_reproducible_with_a_seed_and_differs_without():
    a = risk.simulate(TINY, 500, seed=7)
    b = risk.simulate(TINY, 500, seed=7)
    c = risk.simulate(TINY, 500, seed=8)
    np.testing.assert_array_equal(a.score, b.score)
    assert not np.array_equal(a.score, c.score)


def test_a_risks_draws_do_not_depend_on_the_other_risks():
    alone = risk.simulate(TINY.iloc[[2]], 300, seed=3)
    together = risk.simulate(TINY.iloc[::-1], 300, seed=3)
    np.testing.assert_array_equal(alone.score[:, 0], together.columns(["C"])[:, 0])


def test_summary_intervals_contain_the_median_and_a_point_estimate_has_zero_width():
    summary, _ = risk.score_register(TINY, 2000, seed=11)
    s = summary.set_index("id")
    assert (s["p10"] <= s["median"]).all() and (s["median"] <= s["p90"]).all()
    # C: low = mode = high on both scales -> exactly 3 x 4 = 12 in every draw
    assert s.loc["C", ["p10", "median", "p90"]].tolist() == [12.0, 12.0, 12.0]
    assert s.loc["C", "p_critical"] == 0.0
    assert s.loc["C", "band"] == "High"


def test_summary_scores_bands_and_ranks():
    summary, _ = risk.score_register(TINY, 2000, seed=11)
    assert summary["id"].tolist() == ["A", "C", "B", "D"]
    assert summary["rank"].tolist() == [1, 2, 3, 4]
    a = summary.iloc[0]
    assert (a["score"], a["band"]) == (25, "Critical")
    assert a["p_critical"] > 0.9
    assert summary.set_index("id").loc["D", "band"] == "Low"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ranking_ignores_sampling_noise(seed):
    reg = make_register(
        ("Z", "Weaponization", (3, 4, 5), (2, 3, 4)),
        ("Y", "Weaponization", (3, 4, 5), (2, 3, 4)),
        ("X", "Weaponization", (3, 4, 5), (3, 3, 4)),  # same mode, more upside: expected 12.67
        ("W", "Weaponization", (3, 4, 5), (2, 3, 3)),  # same mode, less upside
    )
    summary, _ = risk.score_register(reg, 300, seed=seed)
    assert summary["id"].tolist() == ["X", "Y", "Z", "W"]
    assert summary.set_index("id").loc["X", "expected"] == pytest.approx(4 * (3 + 12 + 4) / 6)


def test_p_critical_is_the_share_of_draws_at_16_or_more():
    summary, draws = risk.score_register(TINY, 1000, seed=5)
    b = summary.set_index("id").loc["B"]
    assert b["p_critical"] == pytest.approx((draws.columns(["B"]) >= 16).mean())


def test_draws_come_as_one_array_per_scale_for_the_whole_register():
    # Vectorised: one (draws x risks) array, not a frame per risk. Speed is measured by
    # benchmarks/bench_risk.py (make bench), not here.
    reg = make_register(*[(f"R{i:03d}", "Weaponization", (2, 3, 5), (1, 4, 5)) for i in range(100)])
    _, draws = risk.score_register(reg, 10_000, seed=1)
    assert draws.score.shape == (10_000, 100)
    assert draws.score.min() >= 2 and draws.score.max() <= 25


# --- roll-up and the article --------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "article", "expected"),
    [
        ("High", ("High", "High"), ("agrees", 0)),
        ("High", ("Moderate", "High"), ("agrees", 0)),
        ("Moderate", ("Moderate", "High"), ("agrees", 0)),
        ("Critical", ("Moderate", "High"), ("higher", 1)),
        ("Low", ("Moderate", "High"), ("lower", -1)),
        ("Moderate", ("Critical", "Critical"), ("lower", -2)),
        ("Critical", (None, None), ("not rated", 0)),
    ],
)
def test_compare_with_urgency(rating, article, expected):
    assert risk.compare_with_urgency(rating, *article) == expected


def test_category_rollup():
    summary, draws = risk.score_register(TINY, 4000, seed=2)
    roll = risk.category_rollup(
        summary, draws, urgency(Weaponization="Critical", Model_Robustness="Moderate to High")
    ).set_index("category")
    assert list(roll.index) == ["Model Robustness", "Weaponization"]  # CATEGORIES order
    w = roll.loc["Weaponization"]
    assert (w["rating"], w["top_id"], w["n_risks"], w["n_critical"]) == ("Critical", "A", 2, 1)
    assert w["agreement"] == "agrees"
    # P(any Critical) is at least the most likely single risk's P(Critical)
    p_a = summary.set_index("id").loc["A", "p_critical"]
    assert p_a <= w["p_any_critical"] <= 1
    m = roll.loc["Model Robustness"]
    assert (m["rating"], m["agreement"], m["p_any_critical"]) == ("High", "agrees", 0.0)


def test_rollup_without_article_rating():
    summary, draws = risk.score_register(TINY, 500, seed=2)
    roll = risk.category_rollup(summary, draws, None)
    assert set(roll["agreement"]) == {"not rated"}


# --- prose, results, charts -----------------------------------------------------------------


@pytest.mark.parametrize("p", [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99])
def test_rating_firmness_is_a_share_of_draws_never_an_estimative_word(p):
    """P(any Critical) is a share of draws over the analysts' own ranges: worded as such,
    never as the likelihood of an event."""
    text = words.holds_clause(p, 0.001, "it holds")
    assert f"in {round(p * 100)}% of draws from the analysts' ranges, it holds" == text
    assert not any(phrase in text for _, phrase in ICD203_SCALE)


def test_category_paragraph_reads_finding_first():
    summary, draws = risk.score_register(TINY, 4000, seed=2)
    roll = risk.category_rollup(summary, draws, urgency(Weaponization="High"))
    text = words.category_paragraphs(roll)["Weaponization"]
    assert text.startswith("**Weaponization: Critical.** One of its two risks is Critical")
    assert "The most serious is Risk A (A)" in text
    assert (
        "Consistency check: the article rates it High; the register puts it one band higher, "
        "at Critical." in text
    )
    assert "value of" not in text


def test_key_judgments_name_critical_categories_with_number_interval_and_assumptions():
    summary, draws = risk.score_register(TINY, 4000, seed=2)
    roll = risk.category_rollup(summary, draws, None)
    kjs = words.key_judgments(roll, anchor="risk-summary")
    assert [k["category"] for k in kjs] == ["Weaponization"]
    k = kjs[0]
    assert k["anchor"] == "risk-summary"
    lo, hi = k["interval"]
    assert lo <= k["value"] <= hi
    assert "Weaponization" in k["text"] and "not the chance of an event" in k["text"]
    # a share of draws over the analysts' scores is not a likelihood: no estimative word
    assert k["phrase"] is None
    assert not any(phrase in k["text"] for _, phrase in ICD203_SCALE)
    assert k["assumptions"] == ["A1", "A2", "A3", "A4", "A5"]


def test_printed_numbers_are_the_results_at_their_precision():
    summary, draws = risk.score_register(TINY, 4000, seed=2)
    roll = risk.category_rollup(summary, draws, None)
    [k] = words.key_judgments(roll, anchor="risk-summary")
    row = roll.set_index("category").loc["Weaponization"]
    assert f"a median {mc_score(row['top_median'], row['top_median_se'])} of 25" in k["text"]
    held = words.holds_clause(
        row["p_any_critical"], row["p_any_critical_se"], "at least one of its risks is Critical"
    )
    assert held in k["text"]


def test_key_judgment_when_nothing_is_critical():
    reg = make_register(("X", "Societal Disruption", (2, 3, 4), (2, 3, 4)))
    summary, draws = risk.score_register(reg, 500, seed=1)
    kjs = words.key_judgments(risk.category_rollup(summary, draws, None))
    assert len(kjs) == 1 and kjs[0]["category"] == "Societal Disruption"


def test_results_and_headline_are_plain_and_complete():
    summary, draws = risk.score_register(TINY, 500, seed=2)
    roll = risk.category_rollup(summary, draws, None)
    head = words.headline(summary, roll, draws=500, seed=2)
    assert head["n_risks"] == 4 and head["n_critical"] == 1 and head["n_low"] == 1
    assert head["top_risk_id"] == "A" and head["critical_categories"] == ["Weaponization"]
    risks = words.results_risks(summary)
    assert set(risks) == {"A", "B", "C", "D"}
    assert set(risks["A"]) >= {"title", "category", "band", "median", "p10", "p90", "p_critical"}
    m = words.methods(draws=500, seed=2)
    assert "PERT" in m["Sampling"] and "seed 2" in m["Sampling"]
    assert "Critical 16" in m["Scores and bands"]
    assert "not independent confirmation" in m["Consistency check with the source article"]


def test_top_risks_table_is_formatted_for_readers():
    summary, _ = risk.score_register(TINY, 500, seed=2)
    table = words.top_risks_table(summary, 2)
    assert len(table) == 2
    assert table.iloc[0]["Band"] == "Critical"
    assert table.iloc[1]["Likelihood \u00d7 impact"] == "3 \u00d7 4 = 12"
    assert table.iloc[1]["Median (80% interval)"] == "12.0 (12.0\u201312.0)"


def test_project_register_charts_and_alt_text():
    reg = load_register(DATA / "risk_register.csv")
    summary, draws = risk.score_register(reg, 1000, seed=1)
    roll = risk.category_rollup(summary, draws, load_urgency(DATA / "article_urgency.csv"))
    heat = risk_charts.heatmap(summary)
    cats = risk_charts.category_chart(roll)
    texts = {t.get_text() for t in heat.axes[0].texts}
    assert set(summary["id"]) <= texts  # every risk is marked by its id
    assert any(t.startswith("Critical") for t in texts)  # bands are named, not only coloured
    alt = risk_charts.heatmap_alt(summary)
    assert f"{len(summary)} risks" in alt and summary.iloc[0]["id"] in alt
    assert "Critical" in risk_charts.category_alt(roll)

    plt.close(heat)
    plt.close(cats)
