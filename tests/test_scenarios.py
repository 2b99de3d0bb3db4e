"""The scenario file, its validation, the paired Monte Carlo and the generated prose."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from riskbrief import results, sampling, scenarios, sensitivity
from riskbrief.errors import InputError
from riskbrief.models import racing
from riskbrief.narrative import estimative_phrase, mc_pct, pct
from riskbrief.narrative import scenario_tables as tables
from riskbrief.narrative import scenarios as words

FILE = Path(__file__).parents[1] / "data" / "scenarios.yaml"

SHOWN = ["arms-race", "managed-competition", "safety-race"]


def rng(central, low=None, high=None):
    return {
        "central": central,
        "low": central if low is None else low,
        "high": central if high is None else high,
    }


def scenario(sid="test", **racing_over):
    side = {
        "fear": rng(0.2, 0.1, 0.3),
        "restraint": rng(0.4),
        "grievance": rng(0.1),
        "initial": rng(1.0),
    }
    return {
        "id": sid,
        "title": sid.replace("-", " ").capitalize(),
        "summary": "A test scenario.",
        "basis": "Illustrative, for tests.",
        "racing": {
            "n": rng(2),
            "mu": rng(1.0, 0.5, 1.5),
            "enmity": rng(0.5, 0.3, 0.7),
            "information": "private",
            **racing_over,
        },
        "dsair": {
            "regime": "early",
            "speed": rng(1.5, 1.2, 2.0),
            "p_fo": rng(0.3),
            "p_r": rng(0.6, 0.4, 0.8),
            "b": rng(4),
            "c": rng(1),
            "B": rng(10000),
            "W": rng(100),
        },
        "richardson": {"us": copy.deepcopy(side), "china": copy.deepcopy(side)},
    }


def write(tmp_path, doc, name="scenarios.yaml"):
    p = tmp_path / name
    p.write_text(
        doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False), encoding="utf-8"
    )
    return p


def error_of(tmp_path, doc) -> str:
    p = write(tmp_path, doc)
    with pytest.raises(InputError) as exc:
        scenarios.load_scenarios(p)
    msg = str(exc.value)
    assert "scenarios.yaml" in msg
    return msg


# --- the project's file ----------------------------------------


def test_project_file_loads_with_the_three_scenarios():
    loaded = scenarios.load_scenarios(FILE)
    assert list(loaded)[:3] == SHOWN
    for s in loaded.values():
        assert "illustrative" in s.basis.lower()
        assert s.summary
    arms = loaded["arms-race"].central("racing")
    assert arms["information"] in racing.INFORMATION_REGIMES
    assert isinstance(arms["n"], int)


def test_project_file_orders_the_scenarios_by_risk():
    loaded = scenarios.load_scenarios(FILE)
    p = [sampling.central_disaster(loaded[s]) for s in SHOWN]
    assert p[0] > p[1] > p[2]


# --- validation: one test per kind of error ----------------------------------------


def test_missing_field(tmp_path):
    doc = {"scenarios": [scenario("alpha")]}
    del doc["scenarios"][0]["racing"]["enmity"]
    msg = error_of(tmp_path, doc)
    assert "scenario 'alpha'" in msg
    assert "racing.enmity" in msg
    assert "missing" in msg


def test_unknown_information_regime(tmp_path):
    msg = error_of(tmp_path, {"scenarios": [scenario("alpha", information="secret")]})
    assert "scenario 'alpha'" in msg
    assert "racing.information" in msg
    assert "'secret'" in msg
    assert "none, private, public" in msg


def test_range_low_above_high(tmp_path):
    msg = error_of(
        tmp_path, {"scenarios": [scenario("alpha", mu={"central": 1.0, "low": 2.0, "high": 0.5})]}
    )
    assert "scenario 'alpha'" in msg
    assert "racing.mu" in msg
    assert "low (2) is above high (0.5)" in msg


def test_central_outside_range(tmp_path):
    msg = error_of(
        tmp_path, {"scenarios": [scenario("alpha", mu={"central": 3.0, "low": 0.5, "high": 1.5})]}
    )
    assert "scenario 'alpha'" in msg
    assert "racing.mu.central" in msg
    assert "outside [0.5, 1.5]" in msg


def test_probability_outside_unit_interval(tmp_path):
    doc = {"scenarios": [scenario("alpha")]}
    doc["scenarios"][0]["dsair"]["p_r"] = rng(0.6, 0.4, 1.2)
    msg = error_of(tmp_path, doc)
    assert "scenario 'alpha'" in msg
    assert "dsair.p_r.high" in msg
    assert "probability" in msg
    assert "[0, 1]" in msg


def test_enmity_must_be_positive(tmp_path):
    msg = error_of(tmp_path, {"scenarios": [scenario("alpha", enmity=rng(0.2, 0.0, 0.4))]})
    assert "alpha.racing.enmity.low" in msg
    assert "greater than 0" in msg


def test_unknown_scenario_chosen(tmp_path):
    p = write(tmp_path, {"scenarios": [scenario("alpha")]})
    loaded = scenarios.load_scenarios(p)
    with pytest.raises(InputError) as exc:
        scenarios.select(loaded, ["alpha", "beta"], p)
    msg = str(exc.value)
    assert "scenarios.yaml" in msg
    assert "unknown scenario 'beta'" in msg
    assert "scenarios_shown.1" in msg
    assert "alpha" in msg


def test_empty_file(tmp_path):
    msg = error_of(tmp_path, "")
    assert "empty" in msg


def test_malformed_yaml(tmp_path):
    msg = error_of(tmp_path, "scenarios:\n  - id: alpha\n    racing: {mu: [1, 2\n")
    assert "not valid YAML" in msg
    assert "line" in msg


def test_duplicate_key_is_an_error(tmp_path):
    text = yaml.safe_dump({"scenarios": [scenario("alpha")]}, sort_keys=False)
    text = text.replace("  title: Alpha\n", "  title: Alpha\n  title: Again\n")
    msg = error_of(tmp_path, text)
    assert "duplicate key 'title'" in msg


def test_duplicate_scenario_and_unknown_field(tmp_path):
    doc = {"scenarios": [scenario("alpha"), scenario("alpha")]}
    doc["scenarios"][0]["racing"]["speed"] = rng(2)
    msg = error_of(tmp_path, doc)
    assert "alpha.id" in msg and "defined twice" in msg
    assert "alpha.racing.speed" in msg and "unknown field" in msg


def test_single_number_instead_of_range(tmp_path):
    msg = error_of(tmp_path, {"scenarios": [scenario("alpha", mu=1.0)]})
    assert "alpha.racing.mu" in msg
    assert "{central, low, high}" in msg


def test_every_problem_reported_at_once(tmp_path):
    doc = {"scenarios": [scenario("alpha", information="secret"), scenario("beta", mu=rng(-1.0))]}
    msg = error_of(tmp_path, doc)
    assert "alpha.racing.information" in msg
    assert "beta.racing.mu" in msg


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        scenarios.load_scenarios(tmp_path / "nope.yaml")


# --- sampling ----------------------------------------


def test_triangular_inverse_cdf():
    r = scenarios.Range(central=0.3, low=0.0, high=1.0)
    assert r.ppf(np.array(0.0)) == pytest.approx(0.0)
    assert r.ppf(np.array(1.0)) == pytest.approx(1.0)
    assert r.ppf(np.array(0.3)) == pytest.approx(0.3)  # F(mode) = (mode - low)/(high - low)
    u = np.random.default_rng(1).random(200_000)
    x = r.ppf(u)
    assert np.all(np.diff(r.ppf(np.linspace(0, 1, 101))) >= 0)
    assert x.mean() == pytest.approx((0.0 + 0.3 + 1.0) / 3, abs=3e-3)
    assert scenarios.Range(2.0, 2.0, 2.0).ppf(u[:5]).tolist() == [2.0] * 5


@pytest.fixture(scope="module")
def project():
    loaded = scenarios.load_scenarios(FILE)
    sel = scenarios.select(loaded, SHOWN)
    mc = sampling.monte_carlo(sel, 20_000, seed=20261127)
    return loaded, sel, mc


def test_monte_carlo_is_reproducible_and_independent_of_how_it_is_split(project):
    _, sel, mc = project
    one_block_per_task = sampling.monte_carlo(sel, 20_000, seed=20261127, blocks_per_task=1)
    other = sampling.monte_carlo(sel, 20_000, seed=20261128)

    def backwards(fn, tasks):  # tasks run in any order, anywhere: same draws
        return [fn(*a) for a in tasks[::-1]][::-1]

    shuffled = sampling.monte_carlo(sel, 20_000, seed=20261127, task_map=backwards)
    for sid in SHOWN:
        for again in (one_block_per_task, shuffled):
            np.testing.assert_array_equal(mc.disaster[sid], again.disaster[sid])
            np.testing.assert_array_equal(mc.zone[sid], again.zone[sid])
        assert not np.array_equal(mc.disaster[sid], other.disaster[sid])
    # more draws extend the same stream: the first draws do not change
    longer = sampling.monte_carlo(sel, 25_000, seed=20261127)
    np.testing.assert_array_equal(longer.disaster[SHOWN[0]][:20_000], mc.disaster[SHOWN[0]])


def test_fixed_parameters_reproduce_the_closed_form(tmp_path):
    s = scenarios.parse_scenarios(
        yaml.safe_dump({"scenarios": [scenario("alpha", mu=rng(1.0), enmity=rng(0.5))]}), "x.yaml"
    )
    mc = sampling.monte_carlo(list(s.values()), 1_000, seed=1)
    want = racing.disaster_probability(2, 1.0, 0.5, "private")
    np.testing.assert_allclose(mc.disaster["alpha"], want, atol=1e-12)


def test_draws_are_paired_across_scenarios():
    doc = {"scenarios": [scenario("alpha"), scenario("beta")]}
    s = scenarios.parse_scenarios(yaml.safe_dump(doc), "x.yaml")
    mc = sampling.monte_carlo(list(s.values()), 5_000, seed=3)
    np.testing.assert_array_equal(mc.disaster["alpha"], mc.disaster["beta"])
    comp = sampling.compare(mc, "alpha", "beta")
    assert comp["ratio"]["p2_5"] == comp["ratio"]["p97_5"] == 1.0


def test_number_of_teams_is_sampled_as_whole_numbers():
    s = scenarios.parse_scenarios(
        yaml.safe_dump(
            {"scenarios": [scenario("alpha", n=rng(2, 2, 3), mu=rng(1.0), enmity=rng(0.5))]}
        ),
        "x.yaml",
    )
    mc = sampling.monte_carlo(list(s.values()), 10_000, seed=5)
    values = set(np.round(mc.disaster["alpha"], 12))
    want = {round(racing.disaster_probability(k, 1.0, 0.5, "private"), 12) for k in (2, 3)}
    assert values == want
    # triangular(2, 2, 3) rounded: P(n = 2) = P(x < 2.5) = 0.75.
    share_two = np.mean(
        np.isclose(mc.disaster["alpha"], racing.disaster_probability(2, 1.0, 0.5, "private"))
    )
    assert share_two == pytest.approx(0.75, abs=0.02)


def test_summary_quantiles_are_ordered(project):
    _, sel, mc = project
    summary = sampling.summarise(sel, mc)
    q = summary[["p2_5", "p10", "median", "p90", "p97_5"]].to_numpy()
    assert np.all(np.diff(q, axis=1) >= 0)
    assert list(summary["id"]) == SHOWN
    assert summary.set_index("id").loc["arms-race", "stability"] == "runaway"
    assert summary.set_index("id").loc["safety-race", "stability"] == "stable"
    shares = summary[[f"zone_{z}" for z in sampling.ZONES]].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)


def test_comparison_of_arms_race_and_safety_race(project):
    _, sel, mc = project
    summary = sampling.summarise(sel, mc)
    assert sampling.comparison_pair(summary) == ("arms-race", "safety-race")
    comp = sampling.compare(mc, "arms-race", "safety-race")
    r = comp["ratio"]
    assert 1 < r["p2_5"] <= r["p10"] <= r["median"] <= r["p90"] <= r["p97_5"]
    ratio = mc.disaster["arms-race"] / mc.disaster["safety-race"]
    assert r["median"] == pytest.approx(np.quantile(ratio, 0.5, method="inverted_cdf"))


def test_unbounded_ratio_is_reported_as_none():
    safe = scenario("safe", information="none", mu=rng(3.0), enmity=rng(0.5))  # mu >= e n: no risk
    s = scenarios.parse_scenarios(
        yaml.safe_dump({"scenarios": [scenario("alpha"), safe]}), "x.yaml"
    )
    mc = sampling.monte_carlo(list(s.values()), 1_000, seed=2)
    comp = sampling.compare(mc, "alpha", "safe")
    assert comp["ratio"]["median"] is None
    assert comp["share_higher"] == 1.0
    text = words.comparison_sentence(comp, {"alpha": "Alpha", "safe": "Safe"})
    assert "almost none" in text


def test_sensitivity_around_central_values(project):
    loaded, _, _ = project
    s = loaded["arms-race"]
    t = sensitivity.sensitivity(s)
    assert list(t["swing"]) == sorted(t["swing"], reverse=True)
    assert set(t["parameter"]) == {"n", "mu", "enmity", "information"}
    base = sampling.central_disaster(s)
    assert (t["base"] == base).all()
    mu = t.set_index("parameter").loc["mu"]
    assert mu["p_low"] > base > mu["p_high"]  # risk falls with mu
    info = t.set_index("parameter").loc["information"]
    assert info["low_setting"] == "none"  # no information is always safest


@pytest.mark.parametrize("sid", SHOWN)
def test_tornado_swing_is_the_bar_length_and_the_sentence_uses_the_same_numbers(project, sid):
    """The chart's longest bar is the first row, the sentence names that row, and every number
    in the sentence is a number of the table, each paired with its own setting."""
    loaded, _, _ = project
    t = sensitivity.sensitivity(loaded[sid])
    ends = t[["p_low", "p_high", "base"]]
    assert list(t["swing"]) == list(ends.max(axis=1) - ends.min(axis=1))
    assert list(t["swing"]) == sorted(t["swing"], reverse=True)
    text = words.tornado_sentence(t, loaded[sid].title)
    top, nxt = t.iloc[0], t.iloc[1]
    assert f"the {top['label']} moves the risk most" in text
    assert f"{pct(top['p_low'])} at {top['low_setting']}" in text
    assert f"{pct(top['p_high'])} at {top['high_setting']}" in text
    assert f"a swing of {100 * top['swing']:.0f} points" in text
    assert f"Next is the {nxt['label']}" in text and f"{100 * nxt['swing']:.0f} points" in text
    numbers = set(re.findall(r"\d+(?:\.\d+)?%?", text))
    table = tables.tornado_table(t)
    printed = set(table.drop(columns="Parameter").to_numpy().ravel()) | {pct(top["base"])}
    assert numbers <= printed | {str(x) for x in t["low_setting"]} | {
        str(x) for x in t["high_setting"]
    }


def test_managed_competition_longest_bar_is_the_information_regime(project):
    """The defect a reviewer found: the longest bar (information regime, 56 points) was not the
    driver the text named."""
    loaded, _, _ = project
    t = sensitivity.sensitivity(loaded["managed-competition"])
    assert t.iloc[0]["parameter"] == "information"
    assert round(100 * t.iloc[0]["swing"]) == 56


def test_disclosure_in_the_safety_race(project):
    loaded, _, _ = project
    d = sensitivity.disclosure(loaded["safety-race"])
    assert d["information"] == "public"
    assert d["risks"]["none"] <= d["risks"]["public"] <= d["risks"]["private"]
    # disclosure beats private knowledge only below a threshold enmity, above the scenario's
    assert d["enmity"] < d["enmity_threshold"] < 1
    below = racing.disaster_probability(2, d["mu"], d["enmity_threshold"] - 1e-3, "public")
    above = racing.disaster_probability(2, d["mu"], d["enmity_threshold"] + 1e-3, "public")
    assert below < racing.disaster_probability(2, d["mu"], d["enmity_threshold"] - 1e-3, "private")
    assert above > racing.disaster_probability(2, d["mu"], d["enmity_threshold"] + 1e-3, "private")
    text = words.disclosure_paragraph("Safety race", d)
    assert f"below {d['enmity_threshold']:.2f}" in text and pct(d["risks"]["public"]) in text


def test_zone_verdicts_carry_the_share_of_draws(project):
    _, sel, mc = project
    summary = sampling.summarise(sel, mc).set_index("id")
    safe = summary.loc["safety-race"]
    text = words.zone_verdict(safe)
    for z in ("compliance", "dilemma"):
        assert mc_pct(safe[f"zone_{z}"], safe["zone_se"]) in text
    # the central p_r (0.70) sits next to the compliance threshold 1 - 1/(3 x 1.1) = 0.697
    assert "fragile" in text and "0.697" in text
    assert summary.loc["safety-race", "zone_compliance"] < 0.6  # split, not a clean verdict


# --- prose, key judgments, results ----------------------------------------


def test_key_judgments_and_headline(project):
    _, sel, mc = project
    summary = sampling.summarise(sel, mc)
    comp = sampling.compare(mc, "arms-race", "safety-race")
    kjs = words.key_judgments(
        summary, comp, anchors={"comparison": "scen-comparison", "richardson": "scen-richardson"}
    )
    assert len(kjs) == 3
    for kj in kjs:
        assert kj["phrase"] == estimative_phrase(kj["probability"])
        assert kj["phrase"] in kj["text"]
        assert kj["anchor"] in {"scen-comparison", "scen-richardson"}
        lo, hi = kj["interval"]
        assert lo <= kj["value"] <= hi
        assert "the value of" not in kj["text"].lower()
    assert kjs[0]["scenario"] == "arms-race"
    head = words.headline(
        summary,
        comp,
        sensitivity.sensitivity(sel[0]),
        focus="arms-race",
        draws=mc.draws,
        seed=mc.seed,
    )
    json.loads(results.dumps({"headline": head}))  # plain, finite JSON
    arms = head["scenarios"]["arms-race"]
    for key in (
        "disaster_median",
        "disaster_p10",
        "disaster_p90",
        "disaster_p2_5",
        "disaster_p97_5",
    ):
        assert 0 <= arms[key] <= 1
    assert arms["richardson_stability"] == "runaway"
    assert head["comparison"]["ratio_median"] > 1


def test_paragraphs_read_like_findings(project):
    _, sel, mc = project
    summary = sampling.summarise(sel, mc)
    for row in summary.to_dict("records"):
        text = words.scenario_paragraph(row)
        assert text.startswith(f"**{row['title']}.** In the racing model, where ")
        assert f"{estimative_phrase(row['median'])}, as a model output" in text
        assert f"a median {words.p_of(row, 'median')} of equilibrium outcomes" in text


def test_methods_name_the_models_and_the_guard():
    m = words.methods(draws=1000, seed=7)
    text = " ".join(m.values())
    for name in (
        "Armstrong",
        "Han",
        "Richardson",
        "triangular",
        "seed 7",
        "Enmity must be above zero",
        "not a forecast",
    ):
        assert name in text
