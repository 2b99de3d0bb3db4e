"""Every chart states its finding in its title, computed from the numbers it draws and printed
exactly as the section's text prints them; the risk matrix names every risk it shows."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from riskbrief import datasets, evidence, risk, sampling, sensitivity
from riskbrief.charts import context as ctx
from riskbrief.charts import evidence as ev_charts
from riskbrief.charts import finding
from riskbrief.charts import risk as risk_charts
from riskbrief.charts import scenarios as scen_charts
from riskbrief.indicators import load_indicators
from riskbrief.narrative import context as ctx_words
from riskbrief.narrative import evidence as ev_words
from riskbrief.narrative import pct
from riskbrief.narrative import scenario_roles as roles
from riskbrief.narrative import scenarios as scen_words
from riskbrief.register import load_register, load_urgency
from riskbrief.scenarios import load_scenarios, select

DATA = Path(__file__).parents[1] / "data"
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?%?")


def numbers(text: str) -> list[str]:
    """The numbers a reader sees in ``text`` ('6.7', '82%', '2013')."""
    return NUMBER.findall(text)


def assert_numbers_printed(title: str, text: str) -> None:
    """Every number in a chart's title is printed, the same way, in the section's text."""
    printed = set(numbers(text))
    missing = [n for n in numbers(title) if n not in printed]
    assert not missing, f"{title!r}: {missing} not printed in the text"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- the risk summary -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scored():
    register = load_register(DATA / "risk_register.csv")
    summary, draws = risk.score_register(register, 2000, seed=3)
    rollup = risk.category_rollup(summary, draws, load_urgency(DATA / "article_urgency.csv"))
    return register, summary, rollup


def key_text(fig) -> str:
    """The heat map's key as a reader reads it: its texts top to bottom, left to right."""
    key = fig.axes[1]
    texts = sorted(key.texts, key=lambda t: (-round(t.get_position()[1], 6), t.get_position()[0]))
    return " ".join(" ".join(t.get_text().split()) for t in texts)


def test_the_risk_matrix_names_every_risk_it_shows(scored) -> None:
    register, summary, _ = scored
    fig = risk_charts.heatmap(summary)
    grid = {t.get_text() for t in fig.axes[0].texts}
    assert set(register["id"]) <= grid  # every risk is on the matrix ...
    read = key_text(fig)
    for r in register.itertuples(index=False):  # ... and named beside it, id then title
        assert f"{r.id} {' '.join(r.title.split())}" in read, r.id
    # the key is grouped by band, most serious first, and reads at print size
    bands = [b for b in ("Critical", "High", "Moderate", "Low") if (summary["band"] == b).any()]
    positions = [read.index(f"{b} (score") for b in bands]
    assert positions == sorted(positions)
    assert min(t.get_fontsize() for t in fig.axes[1].texts) >= 6.5
    # the key stays inside the figure's height: nothing falls off the bottom
    assert min(t.get_position()[1] for t in fig.axes[1].texts) >= 0


def test_a_long_register_still_names_every_risk(scored) -> None:
    register, _, _ = scored
    more = register.copy()
    more["id"] = [f"X{i:02d}" for i in range(len(more))]
    more["title"] = [f"{t}, as seen from a second vantage point" for t in more["title"]]
    long = pd.concat([register, more], ignore_index=True)
    summary, _ = risk.score_register(long, 500, seed=1)
    fig = risk_charts.heatmap(summary)
    read = key_text(fig)
    for r in long.itertuples(index=False):
        assert f"{r.id} {r.title}" in read, r.id
    # it runs on below the matrix rather than shrinking, and the saved figure holds all of it
    assert min(t.get_fontsize() for t in fig.axes[1].texts) >= 6.5
    saved = fig.get_tightbbox(fig.canvas.get_renderer())
    lowest = min(t.get_window_extent().y0 for t in fig.axes[1].texts) / fig.dpi
    assert saved.y0 <= lowest


def test_the_heat_map_title_counts_the_critical_risks(scored) -> None:
    _, summary, _ = scored
    n = int((summary["band"] == "Critical").sum())
    title = finding(risk_charts.heatmap(summary))
    assert title.startswith(f"{n} of {len(summary)} risks sit in the Critical band")
    assert f"{n} Critical" in risk_charts.heatmap_alt(summary)


def test_the_category_title_names_the_critical_categories(scored) -> None:
    _, _, rollup = scored
    crit = rollup.loc[rollup["rating"] == "Critical", "category"].tolist()
    title = finding(risk_charts.category_chart(rollup))
    assert title.startswith(f"{len(crit)} of {len(rollup)} categories")
    assert all(c in title for c in crit)
    others = rollup.loc[rollup["rating"] != "Critical", "category"]
    assert not any(c in title for c in others)


# --- the scenarios ----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=[2_000, 40_000], ids=["coarse", "fine"])
def scenario_run(request):
    """The scenarios section's numbers, as its notebook computes them; with few draws the
    Monte Carlo allows only a coarse precision, and the titles must print that too."""
    path = DATA / "scenarios.yaml"
    defined = load_scenarios(path)
    ids = ["arms-race", "managed-competition", "safety-race"]
    shown = select(defined, ids, path, focus="managed-competition")
    mc = sampling.monte_carlo(shown, draws=request.param, seed=defined.seed)
    summary = sampling.summarise(shown, mc)
    comparison = sampling.compare(mc, *sampling.comparison_pair(summary))
    tornado = sensitivity.sensitivity(defined["managed-competition"])
    disclosure = {s.id: sensitivity.disclosure(s) for s in shown}
    titles = {s.id: s.title for s in shown}
    text = "\n".join(
        [
            scen_words.comparison_sentence(comparison, titles),
            *(scen_words.scenario_paragraph(r) for r in summary.to_dict("records")),
            scen_words.tornado_sentence(tornado, "Managed competition"),
            *(scen_words.disclosure_paragraph(s.title, disclosure[s.id]) for s in shown),
        ]
    )
    return {
        "shown": shown,
        "mc": mc,
        "summary": summary,
        "comparison": comparison,
        "tornado": tornado,
        "titles": titles,
        "disclosure": disclosure,
        "text": text,
    }


def test_the_comparison_title_states_the_ratio_and_medians_as_printed(scenario_run) -> None:
    run = scenario_run
    title = finding(scen_charts.scenario_comparison(run["summary"], run["mc"].disaster))
    sentence = scen_words.comparison_sentence(run["comparison"], run["titles"])
    times = re.search(r"is (\S+) times as likely", sentence).group(1)
    assert f"{times} times as likely in the arms race as in the safety race" in title
    rows = {r["id"]: r for r in run["summary"].to_dict("records")}
    hi, lo = scen_words.p_of(rows["arms-race"]), scen_words.p_of(rows["safety-race"])
    assert f"a median {hi} against {lo}" in title
    assert f"unsafe in a median {hi} of" in run["text"]
    assert_numbers_printed(title, run["text"])


def test_the_tornado_title_names_the_top_driver_and_its_swing(scenario_run) -> None:
    tornado = scenario_run["tornado"]
    title = finding(scen_charts.tornado(tornado, "Managed competition"))
    top = tornado.iloc[0]
    swing = f"a swing of {scen_words.swing_points(top['swing'])} points"
    assert title.lower().startswith(f"{top['label']} moves the risk most in the managed")
    assert swing in title and swing in scenario_run["text"]
    assert_numbers_printed(title, scenario_run["text"])


def test_the_model_charts_state_their_findings(scenario_run) -> None:
    shown = scenario_run["shown"]
    points = sampling.scenario_points(shown)
    grid = sampling.precipice_grid(n=2, resolution=31)
    precipice = finding(scen_charts.precipice_map(grid, points, n=2))
    assert precipice.startswith("Knowing no one's capabilities is safest")
    assert_numbers_printed(precipice, scenario_run["text"])
    zones = finding(scen_charts.dsair_zones(points))
    clauses = zones.split(";")
    for p in points.itertuples(index=False):
        # each scenario is named in the clause of the zone its most-likely values fall in
        (clause,) = [c for c in clauses if f"{p.zone} zone" in c]
        assert f"the {p.title.lower()}" in clause, (p.title, zones)
    traj = sampling.trajectories(shown, years=10)
    build_up = finding(scen_charts.richardson_trajectories(traj))
    clauses = build_up.split(";")
    for sid in dict.fromkeys(traj["scenario"]):
        d = traj[traj["scenario"] == sid]
        verdict = {"runaway": "runs away", "stable": "levels off"}[d["stability"].iloc[0]]
        (clause,) = [c for c in clauses if verdict in c]
        assert f"the {d['title'].iloc[0].lower()}" in clause, build_up


@pytest.mark.parametrize("role", list(roles.PARTS))
def test_each_reader_sees_the_numbers_of_the_titles_shown_to_them(scenario_run, role: str) -> None:
    """The section is written for its reader (params: role): every chart a reader gets states
    its finding with numbers that reader's text prints."""
    run = scenario_run
    shown, summary = run["shown"], run["summary"]
    text = "\n".join(
        [
            roles.comparison_sentence(run["comparison"], run["titles"], role),
            *(roles.paragraph(r, role) for r in summary.to_dict("records")),
            scen_words.tornado_sentence(run["tornado"], "Managed competition"),
            *(
                roles.disclosure(s.title, run["disclosure"][s.id], role)
                for s in shown
                if roles.shows(role, "disclosure")
                and s.choices["racing"]["information"] == "public"
            ),
        ]
    )
    points = sampling.scenario_points(shown)
    charts = {
        "comparison": lambda: scen_charts.scenario_comparison(summary, run["mc"].disaster),
        "tornado": lambda: scen_charts.tornado(run["tornado"], "Managed competition"),
        "precipice": lambda: scen_charts.precipice_map(
            sampling.precipice_grid(n=2, resolution=31), points, n=2
        ),
        "dsair": lambda: scen_charts.dsair_zones(points),
    }
    for part, chart in charts.items():
        if roles.shows(role, part):
            assert_numbers_printed(finding(chart()), text)


def test_an_unbounded_ratio_and_a_single_scenario_still_get_a_finding(scenario_run) -> None:
    summary = scenario_run["summary"]
    one = summary[summary["id"] == "arms-race"]
    title = finding(scen_charts.scenario_comparison(one, scenario_run["mc"].disaster))
    row = one.to_dict("records")[0]
    assert f"a median {scen_words.p_of(row)} in the arms race" in title
    draws = dict(scenario_run["mc"].disaster)
    draws["safety-race"] = draws["safety-race"] * 0.0
    title = finding(scen_charts.scenario_comparison(summary, draws))
    assert "far likelier in the arms race than in the safety race" in title


# --- the context ------------------------------------------------------------------------------


def test_context_titles_say_who_leads_and_by_how_much() -> None:
    ind = load_indicators(DATA / "indicators.csv")
    text = ctx_words.context_paragraph(ind)
    titles = {
        "models": finding(ctx.models_chart(ind)),
        "investment": finding(ctx.investment_chart(ind)),
        "research": finding(ctx.research_chart(ind)),
        "benchmarks": finding(ctx.benchmark_gap_chart(ind)),
    }
    assert titles["models"].startswith("The United States produced more notable AI models")
    assert "40 to 15" in titles["models"] and "40 to 15" in text
    ratio = re.search(r"was (\S+) times China's in 2024", text).group(1)
    assert titles["investment"].startswith(f"US private AI investment was {ratio} times China's")
    assert "China had the larger share of AI papers (23.2% to 9.2%)" in titles["research"]
    assert "the United States wrote more of the 100 most-cited AI papers" in titles["research"]
    assert titles["benchmarks"].startswith("The top US model's lead narrowed")
    for name, title in titles.items():
        assert_numbers_printed(title, text)
        assert len(title) <= 200, name  # a title, not a paragraph


def test_context_titles_follow_the_data_when_the_lead_changes() -> None:
    ind = load_indicators(DATA / "indicators.csv")
    flipped = ind.copy()
    models = flipped["indicator"] == "Notable AI models"
    flipped.loc[models & (flipped["actor"] == "China"), "value"] = 90.0
    flipped.loc[
        (flipped["indicator"] == "Private AI investment") & (flipped["actor"] == "China"), "value"
    ] = 300.0
    assert finding(ctx.models_chart(flipped)).startswith(
        "China produced more notable AI models in 2024: 90 to 40 for the United States"
    )
    assert finding(ctx.investment_chart(flipped)).startswith(
        "China's private AI investment was 2.8 times the United States' in 2024"
    )


# --- the evidence -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence_run():
    """The evidence section's frames and text, as its notebook computes and prints them."""
    paths = {k: DATA / "evidence" / f"{kind}.csv" for k, (kind, _) in datasets.TABLES.items()}
    paths["category_mapping"] = DATA / "evidence" / "category_mapping.yaml"
    tables = evidence.load_tables(paths, load_urgency(DATA / "article_urgency.csv"))
    f = evidence.figures(tables)
    models_from = f["models_last_complete_year"] - evidence.HISTORY_YEARS
    text = "\n".join(
        [
            ev_words.summary_paragraph(f),
            ev_words.incidents_paragraph(f),
            ev_words.models_paragraph(f, tables.sources["epoch_models"]),
            ev_words.capacity_paragraph(f, tables.sources["epoch_clusters"]),
        ]
    )
    return {
        "f": f,
        "by_domain": evidence.incidents_by_domain(
            tables.aiid, f["last_complete_year"] - evidence.HISTORY_YEARS
        ),
        "per_year": evidence.models_per_year(tables.models, models_from),
        "frontier": evidence.frontier_compute(tables.models, models_from),
        "records": {evidence.US: f["compute_us"], evidence.CHINA: f["compute_china"]},
        "capacity": ev_charts.capacity_rows(evidence.cluster_capacity(tables.clusters)),
        "text": text,
    }


def evidence_titles(run) -> dict[str, str]:
    f = run["f"]
    return {
        "incidents": finding(
            ev_charts.incidents_chart(run["by_domain"], f["partial_year"], f["data_through"])
        ),
        "models": finding(
            ev_charts.models_chart(
                run["per_year"], f["models_partial_year"], f["models_data_through"]
            )
        ),
        "compute": finding(
            ev_charts.compute_chart(
                run["frontier"],
                run["records"],
                f["models_partial_year"],
                f["models_data_through"],
            )
        ),
        "capacity": finding(ev_charts.capacity_chart(run["capacity"])),
    }


def test_evidence_titles_state_their_findings_as_the_text_prints_them(evidence_run) -> None:
    f, text = evidence_run["f"], evidence_run["text"]
    titles = evidence_titles(evidence_run)
    w = f["window"]
    growth = ev_words.times(f["incidents_growth"])
    assert titles["incidents"].startswith(
        f"Recorded AI incidents rose {growth}-fold from {w[0]} to {w[-1]}"
    )
    assert f"{growth} times the {f['incidents_first_window_year']:,} of {w[0]}" in text
    domain = ev_words.domain_name(f["growth_domain"]).lower().replace(" & ", " and ")
    assert domain in titles["incidents"] and domain in text
    us, cn = f["models_us_last_complete"], f["models_china_last_complete"]
    year = f["models_last_complete_year"]
    assert (
        titles["models"] == f"The United States released {us} notable models in {year}, China {cn}"
    )
    ratio = ev_words.times(f["compute_record_ratio"])
    assert titles["compute"].startswith(f"The largest known US training run is about {ratio} times")
    assert f"about {ratio} times the largest known Chinese one" in text
    share_us, share_cn = pct(f["capacity_share_us"]), pct(f["capacity_share_china"])
    assert titles["capacity"].startswith(f"The United States holds {share_us} of recorded AI")
    assert titles["capacity"].endswith(f"China {share_cn}")
    assert f"the United States holds {share_us}" in text and f"China {share_cn}" in text
    for name, title in titles.items():
        assert_numbers_printed(title, text)
        assert len(title) <= 200, name


def test_evidence_titles_follow_the_data_when_the_lead_changes(evidence_run) -> None:
    f = evidence_run["f"]
    per_year = evidence_run["per_year"].copy()
    year = f["models_last_complete_year"]
    per_year.loc[year, evidence.CHINA] = per_year.loc[year, evidence.US] + 7
    assert ev_charts.models_title(per_year, f["models_partial_year"]) == (
        f"China released {per_year.loc[year, evidence.US] + 7} notable models in {year}, "
        f"the United States {per_year.loc[year, evidence.US]}"
    )
    shown = evidence_run["capacity"].copy()
    shown["share"] = shown["share"].where(shown["country"] != evidence.CHINA, 0.8)
    assert ev_charts.capacity_title(shown).startswith(
        "China holds 80% of recorded AI supercomputer capacity, the United States"
    )
    records = {evidence.US: {"flop": 1e25}, evidence.CHINA: {"flop": 4e25}}
    assert ev_charts.compute_title(records).startswith("China's largest known training run is")
    # the incidents' domain is the one whose count rose most in the chart's own frame
    by_domain = evidence_run["by_domain"].copy()
    last, first = f["last_complete_year"], f["window"][0]
    other = next(
        c for c in by_domain.columns if c not in (f["growth_domain"], datasets.UNCLASSIFIED)
    )
    by_domain.loc[last, other] += 10 * (f["growth_domain_last"] - f["growth_domain_first"])
    title = ev_charts.incidents_title(by_domain, f["partial_year"])
    assert ev_words.domain_name(other).lower().replace(" & ", " and ") in title
    assert f"from {first} to {last}" in title
