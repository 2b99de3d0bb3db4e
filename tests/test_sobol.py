"""Global sensitivity (Sobol indices): the estimator on functions with known indices, the
scenarios' factors, independence of how the evaluations are chunked, the project's scenarios,
and the words and chart built from the numbers."""

from __future__ import annotations

import dataclasses
import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from riskbrief import sobol
from riskbrief.charts import sobol as charts
from riskbrief.narrative import sobol as words
from riskbrief.results import dumps
from riskbrief.scenarios import Range, load_scenarios

FILE = Path(__file__).parents[1] / "data" / "scenarios.yaml"


@pytest.fixture(scope="module")
def defined():
    return load_scenarios(FILE)


@pytest.fixture(scope="module")
def project_sobol(defined):
    return sobol.analyse(list(defined.values()), samples=128, resamples=100, seed=7)


def _generic(n: int) -> tuple[sobol.Factor, ...]:
    return tuple(sobol.Factor("test", f"x{i}", f"x{i}") for i in range(n))


# --- the estimator on known functions ---------------------------------------------------------


def test_ishigami_indices_within_tolerance() -> None:
    # Ishigami (a = 7, b = 0.1) on [-pi, pi]^3: the textbook check of a Sobol estimator
    fs = _generic(3)
    q = sobol.sample(fs, 4096, seed=11)
    x = -math.pi + 2 * math.pi * q
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    si = sobol.analyse_output(sobol.problem(fs), y, resamples=100, conf_level=0.95, seed=3)
    np.testing.assert_allclose(si["S1"], [0.3139, 0.4424, 0.0], atol=0.04)
    np.testing.assert_allclose(si["ST"], [0.5576, 0.4424, 0.2437], atol=0.04)
    # x3 acts only through its interaction with x1: total effect without first-order effect
    assert si["ST"][2] - si["S1"][2] > 0.2
    assert np.all(si["S1_conf"] > 0) and np.all(si["ST_conf"] < 0.1)


def test_additive_function_has_no_interactions() -> None:
    fs = _generic(3)
    q = sobol.sample(fs, 2048, seed=5)
    c = np.array([1.0, 2.0, 3.0])
    y = q @ c
    si = sobol.analyse_output(sobol.problem(fs), y, resamples=100, conf_level=0.95, seed=5)
    expected = c**2 / np.sum(c**2)
    np.testing.assert_allclose(si["S1"], expected, atol=0.02)
    np.testing.assert_allclose(si["ST"], expected, atol=0.02)


def test_design_size_is_n_times_d_plus_two() -> None:
    q = sobol.sample(_generic(4), 64, seed=1)
    assert q.shape == (64 * 6, 4) == (sobol.evaluations(64, 4), 4)
    assert q.min() >= 0 and q.max() <= 1


@pytest.mark.parametrize("bad", [0, 1, 100, 500, 3.5, True])
def test_samples_must_be_a_power_of_two(bad) -> None:
    with pytest.raises(ValueError, match="samples"):
        sobol.check_samples(bad)


def test_derived_seeds_are_stable_distinct_and_never_zero() -> None:
    a = sobol.derived_seed(1, "sobol", "disaster", "sample")
    assert a == sobol.derived_seed(1, "sobol", "disaster", "sample")
    assert a != sobol.derived_seed(2, "sobol", "disaster", "sample")
    assert a != sobol.derived_seed(1, "sobol", "unsafe_share", "sample")
    assert all(sobol.derived_seed(s, "x") % 2 == 1 for s in range(50))


# --- factors and evaluation -------------------------------------------------------------------


def test_factors_are_the_parameters_with_a_range_and_the_information_regime(defined) -> None:
    arms = defined["arms-race"]
    assert [f.parameter for f in sobol.factors(arms, "disaster")] == [
        "n",
        "mu",
        "enmity",
        "information",
    ]
    # b, c, B and W are fixed in the scenario file; the DSAIR regime is not a factor
    assert [f.parameter for f in sobol.factors(arms, "unsafe_share")] == ["speed", "p_fo", "p_r"]
    fixed_n = dataclasses.replace(
        arms,
        ranges={**arms.ranges, "racing": {**arms.ranges["racing"], "n": Range(2, 2, 2)}},
    )
    assert "n" not in [f.parameter for f in sobol.factors(fixed_n, "disaster")]


def test_evaluation_maps_quantiles_through_each_distribution(defined) -> None:
    arms = defined["arms-race"]
    fs = sobol.factors(arms, "disaster")
    # the information factor splits [0, 1] into the three regimes; n rounds to a whole number
    q = np.array([[0.5, 0.5, 0.5, 0.1], [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.9]])
    y = sobol.evaluate(arms, "disaster", fs, q)
    none, private, public = y
    assert none < private and none < public  # no information is always the safest
    assert np.all((y >= 0) & (y <= 1))
    share = sobol.evaluate(arms, "unsafe_share", sobol.factors(arms, "unsafe_share"), q[:, :3])
    assert np.all((share >= 0) & (share <= 1))
    with pytest.raises(ValueError, match="unknown output"):
        sobol.evaluate(arms, "nonsense", fs, q)


# --- chunks -------------------------------------------------------------------------------------


def test_results_do_not_depend_on_how_evaluations_are_chunked_or_run(defined) -> None:
    shown = [defined["arms-race"], defined["safety-race"]]
    one = sobol.analyse(shown, samples=32, resamples=50, seed=3, rows_per_task=100_000)
    calls = []

    def threaded(fn, args):
        calls.append(len(args))
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(fn, *a) for a in reversed(args)]
            return [f.result() for f in reversed(futures)]

    many = sobol.analyse(
        shown, samples=32, resamples=50, seed=3, rows_per_task=7, task_map=threaded
    )
    assert calls and calls[0] > 20  # small chunks, all submitted in one call
    assert one == many
    assert dumps(one.to_results()) == dumps(many.to_results())


def test_large_designs_get_larger_chunks_not_more_tasks() -> None:
    assert sobol.chunk_rows(320) == sobol.ROWS_PER_TASK
    rows = sobol.evaluations(65_536, 3)
    step = sobol.chunk_rows(rows)
    assert -(-rows // step) <= sobol.MAX_TASKS_PER_DESIGN < -(-rows // sobol.ROWS_PER_TASK)
    assert sobol.chunk_rows(rows, 100) == 100


def test_same_seed_same_indices_other_seed_other_sample(defined) -> None:
    shown = [defined["managed-competition"]]
    a = sobol.analyse(shown, samples=32, resamples=50, seed=3, outputs=["disaster"])
    b = sobol.analyse(shown, samples=32, resamples=50, seed=3, outputs=["disaster"])
    c = sobol.analyse(shown, samples=32, resamples=50, seed=4, outputs=["disaster"])
    assert a == b and a.indices[0].S1 != c.indices[0].S1


# --- the project's scenarios --------------------------------------------------------------------


def test_project_scenarios_give_indices_with_intervals(project_sobol, defined) -> None:
    frame = project_sobol.frame()
    assert set(frame["scenario"]) == set(defined)
    assert set(frame["output"]) == set(sobol.OUTPUTS)
    assert not frame["constant"].any()
    for col in ("S1", "ST"):
        # estimates of a share of variance, up to sampling error: at 128 base samples the
        # arms race's unsafe share (a near-step function, 1 in most draws) is the noisiest
        assert frame[col].between(-0.2, 1.5).all(), frame[[col]]
        assert (frame[f"{col}_lo"] <= frame[col]).all() and (frame[col] <= frame[f"{col}_hi"]).all()
        assert (frame[f"{col}_lo"] <= 1).all() and (frame[f"{col}_hi"] >= 0).all()
    # the indices of one output add up to about one at most, before interactions
    for _, g in frame.groupby(["scenario", "output"]):
        assert g["S1"].sum() < 1.25 and g["ST"].sum() > 0.75
    # p_r decides the unsafe share everywhere: the disaster chance of cutting corners
    for sid in defined:
        assert words.ranked(frame, sid, "unsafe_share").iloc[0]["parameter"] == "p_r"


def test_results_entry_is_plain_json_with_settings(project_sobol) -> None:
    r = project_sobol.to_results()
    assert (r["samples"], r["resamples"], r["conf_level"]) == (128, 100, 0.95)
    arms = r["scenarios"]["arms-race"]
    assert arms["disaster"]["evaluations"] == 128 * (4 + 2)
    assert arms["unsafe_share"]["evaluations"] == 128 * (3 + 2)
    assert r["evaluations"] == 3 * (128 * 6 + 128 * 5)
    assert set(arms["disaster"]["factors"]["enmity"]) == {"label", "S1", "S1_conf", "ST", "ST_conf"}
    dumps(r)  # finite numbers only


def test_an_output_without_uncertain_parameters_has_no_drivers(defined) -> None:
    arms = defined["arms-race"]
    d = {k: Range(v.central, v.central, v.central) for k, v in arms.ranges["dsair"].items()}
    fixed = dataclasses.replace(arms, ranges={**arms.ranges, "dsair": d})
    s = sobol.analyse([fixed], samples=16, resamples=20, seed=1, outputs=["unsafe_share"])
    assert s.indices[0].factors == () and s.indices[0].constant
    text = words.output_sentence(s, "unsafe_share", fixed.title, fixed.id)
    assert "no uncertain parameter" in text


# --- words and chart ----------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d+\.\d\d")


def test_sentences_print_the_numbers_of_the_results(project_sobol, defined) -> None:
    titles = {s: defined[s].title for s in defined}
    r = project_sobol.to_results()["scenarios"]
    for output in sobol.OUTPUTS:
        text = words.output_sentence(project_sobol, output, titles["arms-race"], "arms-race")
        factors = r["arms-race"][output]["factors"]
        printed = set(_NUMBER.findall(text))
        allowed = {
            words.index(v)
            for f in factors.values()
            for v in (
                f["S1"],
                f["ST"],
                f["ST"] - f["S1"],
                f["ST"] - f["ST_conf"],
                f["ST"] + f["ST_conf"],
            )
        } | {"0.00"}
        assert printed and printed <= allowed, (printed - allowed, text)
        top = max(factors.values(), key=lambda f: f["ST"])
        assert f"total effect {words.index(top['ST'])}" in text


def test_sentence_names_drivers_and_largest_interaction(project_sobol, defined) -> None:
    titles = {s: defined[s].title for s in defined}
    paras = words.sobol_paragraphs(project_sobol, titles, "arms-race")
    assert len(paras) == 2
    frame = project_sobol.frame()
    rows = words.ranked(frame, "arms-race", "unsafe_share")
    inter = words.largest_interaction(rows)
    assert words.prose(rows.iloc[0]) in paras[1]
    if inter["interaction"] >= words.INTERACTION:
        # the gap is the difference of the two printed figures, so the sentence adds up
        gap = float(words.index(inter["ST"])) - float(words.index(inter["S1"]))
        assert f"by {words.index(gap)}" in paras[1]
    assert "arms-race scenario" in paras[0]


def test_methods_state_sample_size_evaluations_estimator_and_bootstrap(project_sobol) -> None:
    text = words.methods(project_sobol.to_results())["Global sensitivity"]
    for part in (
        "N = 128",
        "N(D + 2)",
        "768 evaluations per scenario",
        "640 evaluations per scenario",
        f"{project_sobol.evaluations:,} in all",
        "Saltelli et al. (2010)",
        "Jansen",
        "100 bootstrap resamples",
        "95%",
        "1.96",
        "information regime",
    ):
        assert part in text, part


def test_chart_title_and_alt_text_come_from_the_numbers(project_sobol, defined) -> None:
    titles = {s: defined[s].title for s in defined}
    title = words.chart_title(project_sobol, titles, "arms-race")
    top = words.ranked(project_sobol.frame(), "arms-race", "disaster").iloc[0]
    assert title.startswith("Arms race: ") and words.short(top) in title
    alt = words.alt_text(project_sobol, titles)
    assert f"total {words.index(top['ST'])}" in alt and "95%" in alt
    fig = charts.sobol_indices(project_sobol, titles, title)
    axes = [a for a in fig.axes if a.get_title()]
    assert [a.get_title() for a in axes] == [titles[s] for s in titles]
    assert fig.texts and fig.texts[0].get_text().replace("\n", " ") == title


def test_every_audience_gets_the_sobol_part_after_the_one_at_a_time_sensitivity() -> None:
    from riskbrief.narrative import scenario_roles as roles

    for role, parts in roles.PARTS.items():
        assert roles.shows(role, "sobol"), role
        assert parts.index("sobol") == parts.index("tornado") + 1, role
        heading = roles.heading(role, "sobol")
        assert heading.startswith("### ") and '<a id="scen-sobol"></a>' in heading
