"""The evidence section's data and numbers: the tables and their sidecars, the category mapping,
trends and the partial year, the register's evidence column, and words that state the numbers
the analysis computes."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from riskbrief import datasets, evidence, inputs, references, sections
from riskbrief.charts import evidence as charts
from riskbrief.errors import InputError
from riskbrief.importers import output
from riskbrief.narrative import evidence as words
from riskbrief.narrative import pct
from riskbrief.narrative.risk import EVIDENCE_COLUMN, top_risks_table
from riskbrief.paths import Project
from riskbrief.register import load_urgency

ROOT = Path(__file__).parents[1]
EVIDENCE = ROOT / "data" / "evidence"
MAPPING = EVIDENCE / "category_mapping.yaml"
PATHS = {k: EVIDENCE / f"{kind}.csv" for k, (kind, _) in datasets.TABLES.items()}


@pytest.fixture(scope="module")
def tables() -> evidence.Tables:
    return evidence.load_tables(
        {**PATHS, "category_mapping": MAPPING}, load_urgency(ROOT / "data" / "article_urgency.csv")
    )


@pytest.fixture(scope="module")
def figures(tables: evidence.Tables) -> dict:
    return evidence.figures(tables)


# --- tiny tables with their sidecars -----------------------------------------------------------


def write_table(path: Path, kind: str, text: str, **dataset: object) -> Path:
    """A table and a sidecar that matches it, as `riskbrief import` writes them."""
    path.write_text(text, encoding="utf-8")
    sidecar = {
        "kind": kind,
        "dataset": {
            "title": "A dataset",
            "publisher": "A publisher",
            "url": "https://example.org/",
            "licence": "CC BY-SA 4.0",
            "licence_url": "https://creativecommons.org/licenses/by-sa/4.0/",
            "attribution": "A publisher, a dataset. This table is derived from it.",
            "release": None,
            "data_through": "2026-02-17",
            **dataset,
        },
        "output": {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()},
        "sources": [{"file": "raw.csv", "role": "incidents", "rows_used": 9}],
        "notes": ["A note."],
    }
    Path(str(path) + ".source.json").write_text(json.dumps(sidecar), encoding="utf-8")
    return path


def _message(exc: pytest.ExceptionInfo[InputError]) -> str:
    return str(exc.value)


def test_a_table_and_its_sidecar_load_together(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "aiid.csv", "aiid", "year,domain,incidents\n2025,4,3\n2025,unclassified,1\n"
    )
    frame = datasets.load_aiid(path)
    assert frame["incidents"].tolist() == [3, 1] and frame["year"].dtype.kind == "i"
    source = datasets.load_source(path, "aiid")
    assert source.data_through == dt.date(2026, 2, 17) and source.files == ("raw.csv",)


def test_an_edited_table_no_longer_matches_its_sidecar(tmp_path: Path) -> None:
    path = write_table(tmp_path / "aiid.csv", "aiid", "year,domain,incidents\n2025,4,3\n")
    path.write_text("year,domain,incidents\n2025,4,30\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        datasets.load_aiid(path)
    assert "aiid.csv.source.json" in _message(exc) and "field 'output.sha256'" in _message(exc)
    assert "make evidence" in _message(exc)


def test_a_missing_or_foreign_sidecar_is_named(tmp_path: Path) -> None:
    path = tmp_path / "mit-risk.csv"
    path.write_text("domain,subdomain,risks\n7,7.3,5\n", encoding="utf-8")
    with pytest.raises(InputError, match="provenance sidecar not found"):
        datasets.load_mit_risk(path)
    write_table(path, "aiid", path.read_text(encoding="utf-8"), licence="")
    with pytest.raises(InputError) as exc:
        datasets.load_mit_risk(path)
    assert "field 'kind'" in _message(exc) and "must be 'mit-risk'" in _message(exc)
    assert "field 'dataset.licence'" in _message(exc)


def test_bad_rows_name_the_row_and_the_field(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "aiid-subdomains.csv",
        "aiid-subdomains",
        "year,domain,subdomain,incidents\n2025,4,7.3,1\n2025,4,4.3,-2\n2025,4,4.3,1\n",
    )
    with pytest.raises(InputError) as exc:
        datasets.load_aiid_subdomains(path)
    text = _message(exc)
    assert "row 2, field 'subdomain'" in text and "a code 4.n" in text
    assert "row 3, field 'incidents'" in text
    assert "row 4, field 'year'" in text and "as row 3" in text


def test_model_rows_name_their_model_exactly_when_compute_is_known(tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "epoch-models.csv",
        "epoch-models",
        "country,year,models,max_training_compute_flop,top_model\n"
        "China,2024,3,2.5e25,\nChina,2025,2,,\n",
    )
    with pytest.raises(InputError) as exc:
        datasets.load_epoch_models(path)
    assert "row 2, field 'top_model'" in _message(exc)


# --- the category mapping ----------------------------------------------------------------------

GOOD = """\
basis: An analyst's mapping.
categories:
  Model Robustness: {subdomains: ["7.3", "2.2"], rationale: Failures.}
  Alignment Complexity: {subdomains: ["7.1"], rationale: Goals.}
  Societal Disruption: {subdomains: ["6.2", 3.1], rationale: Labour.}
  Weaponization: {subdomains: ["4.2"], rationale: Weapons., observability: Seldom public.}
"""


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "category_mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_committed_mapping_is_an_analysts_mapping_of_every_article_category() -> None:
    mapping = datasets.load_category_mapping(MAPPING)
    assert "Analyst's mapping" in mapping.basis
    names = [c.name for c in mapping.categories]
    assert names[:4] == list(datasets.ARTICLE_CATEGORIES)
    assert all(c.rationale for c in mapping.categories)
    subs = mapping.subdomains()
    assert subs["6.4"] == "Competitive Dynamics" and subs["7.1"] == "Alignment Complexity"


def test_a_small_mapping_loads_with_numbers_read_as_codes(tmp_path: Path) -> None:
    mapping = datasets.load_category_mapping(_mapping(tmp_path, GOOD))
    assert mapping.subdomains()["3.1"] == "Societal Disruption"
    assert mapping.categories[3].observability == "Seldom public."


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (("Weaponization:", "Weaponisation:"), "categories.Weaponisation", "not a register"),
        (('["4.2"]', '["4"]'), "categories.Weaponization.subdomains.0", "is a domain"),
        (('["4.2"]', '["4.9"]'), "categories.Weaponization.subdomains.0", "not an MIT sub-domain"),
        (
            ('["4.2"]', '["7.3"]'),
            "categories.Weaponization.subdomains.0",
            "already mapped to Model",
        ),
        (
            ("rationale: Goals.", "rationale: ''"),
            "categories.Alignment Complexity.rationale",
            "text",
        ),
        (("rationale: Goals.", "why: Goals."), "categories.Alignment Complexity.why", "unknown"),
        (("basis: An analyst's mapping.", "basis: ''"), "basis", "whose mapping"),
    ],
)
def test_a_bad_mapping_names_the_file_and_the_field(
    tmp_path: Path, edit: tuple[str, str], field: str, words: str
) -> None:
    path = _mapping(tmp_path, GOOD.replace(*edit))
    with pytest.raises(InputError) as exc:
        datasets.load_category_mapping(path)
    text = _message(exc)
    assert "category_mapping.yaml" in text and f"field '{field}'" in text and words in text


def test_every_article_category_must_be_mapped(tmp_path: Path) -> None:
    text = "\n".join(line for line in GOOD.splitlines() if "Weaponization" not in line)
    with pytest.raises(InputError, match="'Weaponization' is not mapped"):
        datasets.load_category_mapping(_mapping(tmp_path, text))


# --- years, trends and the reading against urgency ---------------------------------------------


def test_the_newest_year_is_partial_unless_the_data_runs_to_31_december() -> None:
    years = [2023, 2024, 2025, 2026]
    assert evidence.partial_year(years, dt.date(2026, 2, 17)) == 2026
    assert evidence.last_complete_year(years, dt.date(2026, 2, 17)) == 2025
    assert evidence.partial_year(years, dt.date(2026, 12, 31)) is None
    assert evidence.last_complete_year(years, dt.date(2026, 12, 31)) == 2026
    assert evidence.partial_year(years, None) == 2026  # no date known: assume partial
    assert evidence.partial_year(years, dt.date(2027, 1, 5)) is None  # no 2027 rows yet


@pytest.mark.parametrize(
    ("counts", "label", "ratio"),
    [
        ({2021: 10, 2022: 10, 2023: 10, 2024: 10, 2025: 20}, "up", 2.0),
        ({2021: 10, 2022: 10, 2023: 10, 2024: 10, 2025: 8}, "down", 0.8),
        ({2021: 10, 2022: 10, 2023: 10, 2024: 10, 2025: 11}, "level", 1.1),
        ({2022: 1, 2025: 6}, "too few", 24.0),
        ({2025: 30}, "up", None),
    ],
)
def test_trend_is_the_newest_complete_year_against_the_mean_before(counts, label, ratio) -> None:
    t = evidence.trend(counts, 2025)
    assert t["years"] == [2021, 2022, 2023, 2024, 2025]
    assert t["trend"] == label
    assert t["ratio"] == (None if ratio is None else pytest.approx(ratio))
    assert t["total"] == sum(counts.values())


def test_observation_and_urgency_agree_only_where_an_urgent_record_rises() -> None:
    assert evidence.reading("Critical", "too few") == "diverge"
    assert evidence.reading("High", "down") == "diverge"
    assert evidence.reading("Moderate to High", "up") == "same direction"
    assert evidence.reading("Moderate", "up") == "diverge"
    assert evidence.reading("Low", "level") == "same direction"
    assert evidence.reading(None, "up") == "not rated"


def _tiny() -> tuple[datasets.CategoryMapping, pd.DataFrame, pd.DataFrame]:
    mapping = datasets.CategoryMapping(
        "an analyst's mapping",
        (
            datasets.Category("Model Robustness", ("7.3",), "r"),
            datasets.Category("Alignment Complexity", ("7.1", "7.4"), "r", "seldom seen"),
        ),
    )
    mit = pd.DataFrame(
        {
            "domain": ["7", "7", "7", "4"],
            "subdomain": ["7.1", "7.3", "7.4", "4.3"],
            "risks": [5, 9, 2, 4],
        }
    )
    rows = [
        (y, "7", "7.3", n) for y, n in zip(range(2021, 2027), [4, 6, 8, 10, 20, 3], strict=True)
    ]
    rows += [(2023, "7", "7.1", 1), (2025, "4", "4.3", 50), (2026, "4", "4.3", 9)]
    incidents = pd.DataFrame(rows, columns=["year", "domain", "subdomain", "incidents"])
    return mapping, mit, incidents


def test_category_evidence_counts_entries_and_incidents_in_the_mapped_subdomains() -> None:
    mapping, mit, incidents = _tiny()
    urgency = pd.DataFrame(
        {"category": ["Model Robustness", "Alignment Complexity"], "urgency": ["High", "Critical"]}
    )
    cats = evidence.category_evidence(mapping, mit, incidents, urgency, 2025).set_index("category")
    robust, align = cats.loc["Model Robustness"], cats.loc["Alignment Complexity"]
    assert robust["repository_entries"] == 9 and robust["incidents_all"] == 51
    assert robust["window_counts"] == [4, 6, 8, 10, 20] and robust["window_ratio"] == pytest.approx(
        20 / 7
    )
    assert robust["window_trend"] == "up" and robust["reading"] == "same direction"
    assert align["repository_entries"] == 7 and align["window_total"] == 1
    assert align["window_trend"] == "too few" and align["reading"] == "diverge"
    outside = evidence.outside_categories(mapping, incidents, evidence.window(2025))
    assert outside.to_dict() == {"4.3": 50}  # the partial year is not in the window


def test_register_evidence_counts_each_risks_subdomain() -> None:
    _, mit, incidents = _tiny()
    register = pd.DataFrame({"id": ["R1", "R2", "R3"], "subdomain": ["7.3", "4.3", "6.4"]})
    ev = evidence.register_evidence(register, mit, incidents)
    assert ev.loc["R1"].tolist() == ["7.3", 9, 51]
    assert ev.loc["R2"].tolist() == ["4.3", 4, 59]  # all years, the partial one included
    assert ev.loc["R3"].tolist() == ["6.4", 0, 0]


def test_top_risks_table_gains_the_evidence_column_only_when_given_one() -> None:
    summary = pd.DataFrame(
        {
            "rank": [1],
            "id": ["R1"],
            "title": ["A risk"],
            "category": ["Model Robustness"],
            "likelihood_mode": [4],
            "impact_mode": [4],
            "score": [16],
            "band": ["Critical"],
            "median": [16.0],
            "median_se": [0.0],
            "p10": [12.0],
            "p10_se": [0.0],
            "p90": [20.0],
            "p90_se": [0.0],
            "p_critical": [0.6],
            "p_critical_se": [0.001],
            "trend": ["rising"],
        }
    )
    assert EVIDENCE_COLUMN not in top_risks_table(summary, 1)
    ev = pd.DataFrame(
        {"repository_entries": [1114], "incidents": [274]}, index=pd.Index(["R1"], name="id")
    )
    assert top_risks_table(summary, 1, evidence=ev)[EVIDENCE_COLUMN].tolist() == ["1,114 · 274"]


# --- the committed aggregates and the numbers the section states ----------------------------------


def _csv(name: str) -> list[dict[str, str]]:
    with (EVIDENCE / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_committed_tables_load_with_their_sidecars(tables: evidence.Tables) -> None:
    assert len(tables.mit) == len(_csv("mit-risk.csv"))
    assert {s.licence for s in tables.sources.values()} == {"CC BY 4.0", "CC BY-SA 4.0"}
    assert tables.sources["aiid"].licence == "CC BY-SA 4.0"
    assert tables.sources["mit_risk"].release == dt.date(2025, 3, 26)


def test_figures_match_the_tables_counted_by_hand(figures: dict) -> None:
    last, first = figures["last_complete_year"], figures["window"][0]
    rows = _csv("aiid.csv")
    per_year = {
        y: sum(int(r["incidents"]) for r in rows if int(r["year"]) == y) for y in (first, last)
    }
    assert figures["incidents_last_complete_year"] == per_year[last]
    assert figures["incidents_first_window_year"] == per_year[first]
    assert figures["partial_year"] == figures["data_through"].year == last + 1
    mapping = datasets.load_category_mapping(MAPPING)
    subs = _csv("aiid-subdomains.csv")
    for cat in mapping.categories:
        counted = sum(
            int(r["incidents"])
            for r in subs
            if r["subdomain"] in cat.subdomains and first <= int(r["year"]) <= last
        )
        row = figures["categories"].set_index("category").loc[cat.name]
        assert row["window_total"] == counted, cat.name
    models = {(r["country"], r["year"]): int(r["models"]) for r in _csv("epoch-models.csv")}
    year = str(figures["models_last_complete_year"])
    assert figures["models_us_last_complete"] == models[("United States", year)]
    assert figures["models_china_last_complete"] == models[("China", year)]
    existing = [r for r in _csv("epoch-clusters.csv") if r["status"] == "Existing"]
    total = sum(float(r["h100e_total"] or 0) for r in existing)
    us = next(float(r["h100e_total"]) for r in existing if r["country"] == "United States")
    assert figures["capacity_share_us"] == pytest.approx(us / total)


def test_every_number_in_the_findings_is_a_computed_number(figures: dict, tables) -> None:
    f = figures
    w = f["window"]
    summary = words.summary_paragraph(f)
    for shown in (
        f"{f['incidents_last_complete_year']:,} AI incidents in {w[-1]}",
        f"{f['incidents_first_window_year']:,} of {w[0]}",
        f"{words.times(f['incidents_growth'])} times",
        f"{words.count(f['critical_incidents_window'])} of the {f['subdomain_window_total']:,}",
        f"{f['models_us_last_complete']} models in {f['models_last_complete_year']}",
        f"{words.times(f['compute_record_ratio'])} times China's",
        pct(f["capacity_share_us"]),
    ):
        assert shown in summary, shown
    critical = f["categories"][f["categories"]["urgency"] == "Critical"]
    assert f["critical_incidents_window"] == critical["window_total"].sum()
    table = words.category_table(f)
    for row, cat in zip(table.to_dict("records"), f["categories"].to_dict("records"), strict=True):
        assert row["Repository entries"] == f"{cat['repository_entries']:,}"
        assert row[f"Incidents per year, {w[0]}–{w[-1]}"] == " · ".join(
            map(str, cat["window_counts"])
        )
    paragraphs = " ".join(words.category_paragraphs(f, tables.mapping))
    for cat in f["categories"].to_dict("records"):
        assert f"{cat['repository_entries']:,} entries" in paragraphs


def test_the_incident_chart_labels_the_numbers_the_text_states(figures: dict, tables) -> None:
    f = figures
    by_domain = evidence.incidents_by_domain(
        tables.aiid, f["last_complete_year"] - evidence.HISTORY_YEARS
    )
    fig = charts.incidents_chart(by_domain, f["partial_year"], f["data_through"])
    labels = {t.get_text() for ax in fig.axes for t in ax.texts}
    legend = [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()
    ]
    plt.close(fig)
    text = words.incidents_paragraph(f)
    for n in (
        f["incidents_first_window_year"],
        f["incidents_last_complete_year"],
        f["growth_domain_last"],
    ):
        assert f"{n:,}" in labels and f"{n:,}" in text
    assert f"{f['partial_year']}: partial, to {words.short_day(f['data_through'])}" in legend
    alt = charts.incidents_alt(f, by_domain)
    assert f"{f['incidents_last_complete_year']:,} in {f['last_complete_year']}" in alt
    assert "hatched" in alt and words.day(f["data_through"]) in alt


def test_key_judgments_carry_assumptions_and_no_estimative_phrase(figures: dict) -> None:
    kjs = words.key_judgments(figures)
    assert [k["value"] for k in kjs] == [
        figures["critical_incidents_window"],
        figures["incidents_last_complete_year"],
    ]
    assert all(k["assumptions"] and k["anchor"] == "evidence" and "phrase" not in k for k in kjs)
    assert "Critical" in kjs[0]["text"] and "urgency what could" in kjs[0]["text"]
    assert "validat" not in " ".join(k["text"] for k in kjs)
    head = words.headline(figures)
    json.dumps(head)  # plain JSON
    assert head["categories"]["Alignment Complexity"]["reading"] == "diverge"


def test_source_lines_credit_the_copy_and_the_licence(tables: evidence.Tables) -> None:
    line = words.source_line([("data/evidence/aiid.csv", tables.sources["aiid"])])
    assert "Responsible AI Collaborative" in line and "records to 17 February 2026" in line
    assert "data/evidence/aiid.csv (CC BY-SA 4.0)" in line
    line = words.source_line([("data/evidence/mit-risk.csv", tables.sources["mit_risk"])])
    assert "release of 26 March 2025" in line and "(CC BY 4.0)" in line


# --- references, inputs and the spec ------------------------------------------------------------


def test_dataset_references_come_from_the_sidecars() -> None:
    refs = {r.key: r for r in datasets.dataset_references(PATHS)}
    assert set(refs) == {"aiid", "epoch-models", "epoch-clusters"}  # MIT is registered
    assert "CC BY-SA 4.0" in refs["aiid"].citation and "17 February 2026" in refs["aiid"].citation
    assert "This table is derived" not in refs["aiid"].citation
    assert "notable_ai_models.csv" in refs["epoch-models"].citation
    assert all(r.url and r.url.startswith("https://") for r in refs.values())


def test_the_registered_mit_citation_is_the_workbooks_own_with_its_release() -> None:
    source = datasets.load_source(PATHS["mit_risk"], "mit-risk")
    citation = references.get("mit-risk-repository").citation
    assert citation.startswith(source.attribution.split(" https://")[0])
    assert words.day(source.release) in citation and source.licence in citation


def test_sidecars_are_inputs_and_a_dataset_is_listed_once() -> None:
    b = sections.load("baseline", Project(ROOT), check_inputs=False)
    names = {i.name for i in inputs.briefing_inputs(b)}
    assert {"data/evidence/aiid.csv.source.json", "data/evidence/category_mapping.yaml"} <= names
    keys = [r.key for r in sections.references(b)]
    assert keys.count("aiid") == 1 and {"epoch-models", "epoch-clusters"} <= set(keys)
    assert "evidence" in b.params.sections
    assert datasets.SIDECAR_SUFFIX == inputs.SIDECAR_SUFFIX == output.SIDECAR_SUFFIX


def test_the_spec_names_the_tables_and_the_numbers_the_change_log_compares() -> None:
    spec = sections.get("evidence")
    assert {d.key for d in spec.data} == {*datasets.TABLES, "category_mapping", "urgency"}
    assert all(
        d.loader.startswith(("riskbrief.datasets:", "riskbrief.register:")) for d in spec.data
    )
    paths = {c.path for c in spec.comparables}
    assert {"headline.incidents_last_complete_year", "headline.categories.*"} <= paths
    risk = {d.key for d in sections.get("risk_summary").data}
    assert {"mit_risk", "aiid_subdomains"} <= risk


def test_no_sentence_calls_the_comparison_a_validation(figures: dict, tables) -> None:
    text = " ".join(
        [
            words.summary_paragraph(figures),
            words.comparison_paragraph(figures),
            *words.category_paragraphs(figures, tables.mapping),
            *words.methods(
                figures, tables.mapping, tables.sources, {k: k for k in tables.sources}
            ).values(),
        ]
    )
    assert not re.search(r"validat|confirms the article|proves", text, re.I)
