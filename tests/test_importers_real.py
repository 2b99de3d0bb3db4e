"""The importers on the real public snapshots in ../shared/data (skipped where it is absent).

Besides the published tables themselves, these check the counts against what the files say
of themselves or against an independent count with pandas, import copies whose sheet and
headers were renamed, and check that data/evidence/ holds what the importers produce.
"""

from __future__ import annotations

import json
import re
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from importer_files import SHARED

from riskbrief import importers
from riskbrief.errors import InputError
from riskbrief.importers import tables
from riskbrief.importers.output import sha256_file

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = ROOT / "data" / "evidence"
WORKBOOK = SHARED / "mit-ai-risk" / "ai_risk_repository_v3_2025-03-26.xlsx"
INCIDENTS = SHARED / "aiid" / "incidents.csv"
CLASSIFICATIONS = SHARED / "aiid" / "classifications_MIT.csv"
CSET = SHARED / "aiid" / "classifications_CSETv1.csv"
MODELS = SHARED / "epoch" / "notable_ai_models.csv"
CLUSTERS = SHARED / "epoch" / "gpu_clusters.csv"


def need(*files: Path) -> None:
    missing = [f for f in files if not f.is_file()]
    if missing:
        pytest.skip(
            f"real snapshot {missing[0]} not found: these tests read ../shared/data beside the "
            "project (or RISKBRIEF_SHARED_DATA)"
        )


def run(kind: str, sources: list[Path], tmp_path: Path) -> tuple[pd.DataFrame, dict]:
    r = importers.run(kind, sources, tmp_path / f"{kind}.csv", root=tmp_path)
    frame = pd.read_csv(r.csv, dtype={"domain": str, "subdomain": str})
    return frame, json.loads(r.sidecar.read_text(encoding="utf-8"))


def test_mit_risk_counts_every_risk_the_workbook_says_it_holds(tmp_path):
    need(WORKBOOK)
    t0 = time.perf_counter()
    frame, meta = run("mit-risk", [WORKBOOK], tmp_path)
    assert time.perf_counter() - t0 < 3.0, "the workbook must import in under 3 s"
    stated = tables.stated(tables.read_sheets(WORKBOOK), re.compile(r"database of ([\d,]+) risks"))
    assert stated is not None
    assert frame["risks"].sum() == int(stated[0].replace(",", "")) == 1612
    assert list(frame.columns) == ["domain", "subdomain", "risks"]
    assert set(frame["domain"]) == {*map(str, range(1, 8)), "unclassified"}
    assert frame["subdomain"].str.fullmatch(r"\d\.\d|unclassified").all()
    assert (frame["subdomain"].str.split(".").str[0] == frame["domain"])[
        frame["domain"] != "unclassified"
    ].all()
    src = meta["sources"][0]
    assert src["table"]["header_row"] == 3 and src["rows_used"] == 1612
    assert meta["dataset"]["release"] == "2025-03-26" and meta["dataset"]["licence"] == "CC BY 4.0"


def test_mit_risk_domain_shares_agree_with_the_workbooks_statistics_sheet(tmp_path):
    need(WORKBOOK)
    frame, _ = run("mit-risk", [WORKBOOK], tmp_path)
    classified = frame[frame["domain"] != "unclassified"]
    shares = classified.groupby("domain")["risks"].sum() / classified["risks"].sum()
    sheets = tables.read_sheets(WORKBOOK)
    stats = next(s for s in sheets if "domain" in s.name.lower() and "statistic" in s.name.lower())
    rows = [[c for c in r if c != ""] for r in stats.rows]
    stated = {
        f"{r[0]:.0f}": r[2]
        for r in rows
        if len(r) > 2 and isinstance(r[0], float) and r[0].is_integer() and isinstance(r[2], float)
    }
    assert len(stated) == 7
    # the statistics sheet was refreshed on a slightly different count than the database
    for domain, share in stated.items():
        assert shares[domain] == pytest.approx(share, abs=0.02), domain


def test_mit_risk_reads_a_release_with_a_renamed_sheet_and_respelt_headers(tmp_path):
    need(WORKBOOK)
    expected, _ = run("mit-risk", [WORKBOOK], tmp_path / "a")
    renamed = tmp_path / "ai_risk_repository_v4.xlsx"
    swaps = {
        "xl/workbook.xml": [("AI Risk Database v3", "Risk Database (v4)")],
        "xl/sharedStrings.xml": [
            ("<t>Category level</t>", "<t>CATEGORY-LEVEL</t>"),
            ("<t>Sub-domain</t>", "<t>Subdomain</t>"),
            ("<t>Domain</t>", "<t>Risk domain</t>"),
        ],
    }
    with (
        zipfile.ZipFile(WORKBOOK) as src,
        zipfile.ZipFile(renamed, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item)
            for old, new in swaps.get(item.filename, []):
                assert old.encode() in data, old
                data = data.replace(old.encode(), new.encode())
            dst.writestr(item, data)
    frame, meta = run("mit-risk", [renamed], tmp_path / "b")
    pd.testing.assert_frame_equal(frame, expected)
    table = meta["sources"][0]["table"]
    assert table["sheet"] == "Risk Database (v4)"
    assert table["columns"]["level"] == "CATEGORY-LEVEL"


def test_aiid_counts_every_incident_once_per_domain(tmp_path):
    need(INCIDENTS, CLASSIFICATIONS)
    frame, meta = run("aiid", [INCIDENTS, CLASSIFICATIONS], tmp_path)
    incidents = pd.read_csv(INCIDENTS)
    classified = pd.read_csv(CLASSIFICATIONS)
    assert frame["incidents"].sum() == len(incidents)  # one MIT domain per incident here
    unclassified = frame.loc[frame["domain"] == "unclassified", "incidents"].sum()
    assert unclassified == len(set(incidents["incident_id"]) - set(classified["Incident ID"]))
    assert frame["year"].min() == 1983 and frame["year"].max() == 2026
    by_year = incidents["date"].str[:4].astype(int).value_counts().sort_index()
    assert frame.groupby("year")["incidents"].sum().to_dict() == by_year.to_dict()
    assert meta["dataset"]["licence"] == "CC BY-SA 4.0"
    assert meta["dataset"]["data_through"] == incidents["date"].max()


def test_aiid_subdomains_add_up_to_the_domains(tmp_path):
    need(INCIDENTS, CLASSIFICATIONS)
    domains, _ = run("aiid", [CLASSIFICATIONS, INCIDENTS], tmp_path)
    subs, _ = run("aiid-subdomains", [INCIDENTS, CLASSIFICATIONS], tmp_path)
    summed = subs.groupby(["year", "domain"], as_index=False)["incidents"].sum()
    pd.testing.assert_frame_equal(summed, domains)


def test_aiid_refuses_the_cset_classifications(tmp_path):
    need(INCIDENTS, CSET)
    with pytest.raises(InputError, match=r"classifications_CSETv1\.csv.*missing 'Risk Domain'"):
        importers.run("aiid", [INCIDENTS, CSET], tmp_path / "x.csv", root=tmp_path)
    assert not (tmp_path / "x.csv").exists()


def _country_lists(path: Path, column: str) -> pd.Series:
    raw = pd.read_csv(path)[column].fillna("")
    return raw.map(
        lambda c: (
            sorted(
                {
                    "United States" if x.strip() == "United States of America" else x.strip()
                    for x in c.split(",")
                    if x.strip()
                }
            )
            or ["unknown"]
        )
    )


def test_epoch_models_agree_with_an_independent_count(tmp_path):
    need(MODELS)
    frame, _ = run("epoch-models", [MODELS], tmp_path)
    raw = pd.read_csv(MODELS)
    raw["country"] = _country_lists(MODELS, "Country (of organization)")
    raw["year"] = raw["Publication date"].str[:4].astype(int)
    long = raw.explode("country")
    counts = long.groupby(["country", "year"]).size()
    got = frame.set_index(["country", "year"])["models"]
    assert got.sort_index().to_dict() == counts.sort_index().to_dict()
    assert "United States of America" not in set(frame["country"])
    assert {"Hong Kong", "Taiwan", "China", "United States"} <= set(frame["country"])
    best = long.groupby(["country", "year"])["Training compute (FLOP)"].max().dropna()
    mine = frame.set_index(["country", "year"])["max_training_compute_flop"].dropna()
    assert set(mine.index) == set(best.index)
    for key, value in best.items():
        assert mine[key] == pytest.approx(value, rel=1e-5), key


def test_epoch_models_read_a_release_with_respelt_headers(tmp_path):
    need(MODELS)
    expected, _ = run("epoch-models", [MODELS], tmp_path / "a")
    raw = pd.read_csv(MODELS, dtype=str, keep_default_na=False)
    raw = raw.rename(
        columns={
            "Country (of organization)": "Country of Organisation",
            "Training compute (FLOP)": "TRAINING COMPUTE [FLOP]",
            "Publication date": "Publication Date",
        }
    )
    raw.insert(0, "Added later", "x")
    renamed = tmp_path / "large_scale_ai_models.csv"
    raw.iloc[:, ::-1].to_csv(renamed, index=False)
    frame, _ = run("epoch-models", [renamed], tmp_path / "b")
    pd.testing.assert_frame_equal(frame, expected)


def test_epoch_clusters_agree_with_an_independent_count(tmp_path):
    need(CLUSTERS)
    frame, meta = run("epoch-clusters", [CLUSTERS], tmp_path)
    raw = pd.read_csv(CLUSTERS)
    raw["country"] = _country_lists(CLUSTERS, "Country")
    long = raw.explode("country")
    assert frame["clusters"].sum() == len(long)
    assert set(frame["status"]) == {"Existing", "Planned", "Decommissioned"}
    anonymous = raw["Name"].str.contains("Anonymi", na=False).sum()
    assert anonymous > 100 and meta["sources"][0]["rows_used"] == len(raw)
    existing = (
        long[long["Status"] == "Existing"].groupby("country")["H100 equivalents"].sum(min_count=1)
    )
    mine = frame[frame["status"] == "Existing"].set_index("country")["h100e_total"]
    for country, total in existing.dropna().items():
        assert mine[country] == pytest.approx(total, abs=0.1), country


def test_committed_evidence_is_what_the_importers_make_of_the_snapshots(tmp_path):
    """data/evidence/ holds the importers' output for the snapshots it names (when present)."""
    config = EVIDENCE / "sources.yaml"
    for kind, sources in importers.load_config(config, root=ROOT):
        committed = EVIDENCE / f"{kind}.csv.source.json"
        assert committed.is_file(), f"{committed.name} is not committed: run make evidence"
        need(*sources)
        recorded = {s["file"]: s["sha256"] for s in json.loads(committed.read_text())["sources"]}
        here = {p.name: sha256_file(p) for p in sources}
        if recorded != here:
            continue  # a different release than the committed tables were made from
        out = tmp_path / f"{kind}.csv"
        importers.run(kind, sources, out, root=tmp_path)
        assert out.read_bytes() == (EVIDENCE / f"{kind}.csv").read_bytes(), (
            f"{kind}: run make evidence"
        )
        assert (tmp_path / f"{kind}.csv.source.json").read_bytes() == committed.read_bytes(), kind


def test_committed_evidence_names_sources_by_file_name_only():
    sidecars = sorted(EVIDENCE.glob("*.source.json"))
    assert {p.name.removesuffix(".csv.source.json") for p in sidecars} == set(importers.kinds())
    for sidecar in sidecars:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        assert all("/" not in s["file"] and "\\" not in s["file"] for s in meta["sources"])
        assert str(ROOT) not in sidecar.read_text(encoding="utf-8")
    # only the derived tables, their sidecars and the config: never a raw download
    assert {p.suffix for p in EVIDENCE.iterdir()} <= {".csv", ".json", ".yaml"}
