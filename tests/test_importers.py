"""The importers on small files made here: what each counts, renamed sheets and headers, extra
columns, wrong files, and writes that are atomic and repeatable.

The real snapshots are covered in test_importers_real.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from importer_files import (
    CLUSTERS_EXPECTED,
    MIT_EXPECTED,
    MODELS_EXPECTED,
    classifications_csv,
    clusters_csv,
    incidents_csv,
    mit_workbook,
    models_csv,
    write_csv,
    write_xlsx,
)

from riskbrief import cli, importers
from riskbrief.errors import InputError
from riskbrief.importers import mit_risk, tables


def run(kind: str, sources: list[Path], tmp_path: Path, out: str = "out/table.csv"):
    return importers.run(kind, sources, tmp_path / out, root=tmp_path)


def sidecar(result) -> dict:
    return json.loads(result.sidecar.read_text(encoding="utf-8"))


def unmapped(result) -> dict[tuple[str, str], tuple[str, int]]:
    return {
        (e["column"], e["value"]): (e["outcome"], e["rows"]) for e in sidecar(result)["unmapped"]
    }


# --- reading headers by meaning -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sub-domain", "subdomain"),
        ("Sub domain", "SUB_DOMAINS"),
        ("Discrimination & Toxicity", "Discrimination and Toxicity"),
        ("Country (of organization)", "country of organization"),
        ("H100 equivalents", "H100-equivalent"),
        ("Countries", "country"),
    ],
)
def test_labels_that_differ_in_case_spacing_punctuation_and_plural_are_the_same(a, b):
    assert tables.normalise(a) == tables.normalise(b)


def test_a_unit_in_brackets_does_not_stop_a_header_matching():
    col = tables.Column("compute", ("training compute",))
    assert col.rank("Training compute (FLOP)") is not None
    assert col.rank("Training compute [FLOP]") is not None
    assert col.rank("Finetune compute (FLOP)") is None


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("6.5 > Governance failure", (6, 5)),
        ("1.2. Exposure to toxic content", (1, 2)),
        ("1. Discrimination & Toxicity", (1, None)),
        ("4.0 > Malicious use", (4, 0)),
        (7.3, (7, 3)),
        ("X.1 > Excluded", None),
        ("", None),
    ],
)
def test_mit_codes_are_read_from_the_start_of_a_cell(cell, code):
    assert mit_risk.code(cell) == code


def test_the_sub_domain_code_decides_and_a_domain_alone_is_n_0():
    assert mit_risk.classify("7. AI System Safety", "7.3 > Lack of robustness") == (
        ("7", "7.3"),
        "",
    )
    assert mit_risk.classify("4. Malicious actors", "") == (("4", "4.0"), "")
    assert mit_risk.classify("", "X.1 > Excluded") == (None, "counted as unclassified")
    assert mit_risk.classify("8. A new domain", "8.1 > Something") == (
        None,
        "counted as unclassified",
    )
    where, note = mit_risk.classify("6. Socioeconomic", "7.3 > Lack of robustness")
    assert where == ("7", "7.3") and "sub-domain" in note


# --- mit-risk -----------------------------------------------------------------------------------


def test_mit_risk_counts_categories_and_sub_categories_by_domain_code(tmp_path):
    r = run("mit-risk", [mit_workbook(tmp_path / "repo.xlsx")], tmp_path)
    assert r.csv.read_text() == MIT_EXPECTED
    meta = sidecar(r)
    src = meta["sources"][0]
    assert (src["file"], src["rows_read"], src["rows_used"]) == ("repo.xlsx", 9, 7)
    assert src["table"] == {
        "sheet": "AI Risk Database v3",
        "header_row": 3,
        "columns": {
            "level": "Category level",
            "domain": "Domain",
            "subdomain": "Sub-domain",
            "id": "Ev_ID",
        },
    }
    assert meta["dataset"]["release"] == "2025-03-26"
    assert meta["dataset"]["licence"] == "CC BY 4.0"
    assert meta["dataset"]["attribution"] == "Slattery, P. et al. (2024). A test citation."
    assert unmapped(r) == {
        ("Sub-domain", "X.1 > Excluded"): ("counted as unclassified", 1),
        ("Domain", ""): ("counted as unclassified", 1),
    }


def test_mit_risk_finds_a_renamed_sheet_with_respelt_reordered_and_extra_columns(tmp_path):
    book = mit_workbook(
        tmp_path / "repo-v4.xlsx",
        sheet="Risk Database (V4, 2026)",
        banner_rows=5,
        rename={
            "Category level": "CATEGORY-LEVEL",
            "Domain": "Risk domain",
            "Sub-domain": "Subdomain",
        },
        extra=["Sub-domain notes", "Domain reviewer"],
        reverse=True,
    )
    r = run("mit-risk", [book], tmp_path)
    assert r.csv.read_text() == MIT_EXPECTED
    table = sidecar(r)["sources"][0]["table"]
    assert table["sheet"] == "Risk Database (V4, 2026)" and table["header_row"] == 6
    assert table["columns"]["subdomain"] == "Subdomain"


def test_mit_risk_reads_a_csv_export_of_the_risk_sheet(tmp_path):
    from importer_files import MIT_HEADER, mit_records, table

    r = run(
        "mit-risk", [write_csv(tmp_path / "risks.csv", table(MIT_HEADER, mit_records()))], tmp_path
    )
    assert r.csv.read_text() == MIT_EXPECTED
    assert sidecar(r)["dataset"]["release"] is None


def test_mit_risk_reports_levels_it_does_not_know(tmp_path):
    rows = [
        ["Category level", "Domain", "Sub-domain"],
        ["Risk Category", "", "2.1 > Privacy"],
        ["Hazard", "", "3.1 > X"],
    ]
    r = run("mit-risk", [write_xlsx(tmp_path / "w.xlsx", {"S": rows})], tmp_path)
    assert r.csv.read_text() == "domain,subdomain,risks\n2,2.1,1\n"
    assert unmapped(r)[("Category level", "Hazard")] == ("row not used: not a known level", 1)


def test_two_columns_that_could_both_be_the_domain_are_an_error(tmp_path):
    rows = [
        ["Category level", "Domain", "domain", "Sub-domain"],
        ["Risk Category", "1. A", "2. B", "1.1"],
    ]
    with pytest.raises(InputError, match=r"'Domain' and 'domain'.*rename one"):
        run("mit-risk", [write_xlsx(tmp_path / "w.xlsx", {"S": rows})], tmp_path)


# --- aiid ---------------------------------------------------------------------------------------


def aiid_files(tmp_path: Path, **changes) -> list[Path]:
    return [
        incidents_csv(tmp_path / "incidents.csv", **changes.get("incidents", {})),
        classifications_csv(
            tmp_path / "classifications_MIT.csv", **changes.get("classifications", {})
        ),
    ]


def test_aiid_counts_incidents_per_year_and_domain(tmp_path):
    r = run("aiid", aiid_files(tmp_path), tmp_path)
    assert r.csv.read_text() == (
        "year,domain,incidents\n"
        "2019,1,1\n"
        "2019,7,1\n"
        "2020,4,1\n"
        "2020,unclassified,1\n"  # incident 5: its only classification is unpublished
        "2021,unclassified,1\n"
    )
    meta = sidecar(r)
    assert meta["dataset"]["licence"] == "CC BY-SA 4.0"
    assert "same licence" in meta["dataset"]["attribution"]
    assert meta["dataset"]["data_through"] == "2021-12-31"
    assert [(s["role"], s["rows_read"], s["rows_used"]) for s in meta["sources"]] == [
        ("incidents", 6, 5),
        ("MIT risk classifications", 5, 3),
    ]
    odd = unmapped(r)
    assert odd[("date", "someday")] == ("incident not used: no readable date", 1)
    assert odd[("Published", "False")] == ("classification not used: not published", 1)
    assert odd[("Incident ID", "9")][0].startswith("classification not used: no such incident")


def test_aiid_subdomains_keeps_the_sub_domain_code(tmp_path):
    r = run("aiid-subdomains", aiid_files(tmp_path), tmp_path)
    assert r.csv.read_text().splitlines()[:3] == [
        "year,domain,subdomain,incidents",
        "2019,1,1.2,1",
        "2019,7,7.3,1",
    ]
    assert "2021,unclassified,unclassified,1" in r.csv.read_text()


def test_aiid_takes_its_two_files_in_either_order_with_renamed_and_extra_columns(tmp_path):
    expected = run("aiid", aiid_files(tmp_path), tmp_path, "a.csv").csv.read_text()
    incidents, classified = aiid_files(
        tmp_path / "renamed",
        incidents={
            "rename": {"incident_id": "Incident ID", "date": "Incident Date"},
            "reverse": True,
        },
        classifications={
            "rename": {"Risk Domain": "risk_domain", "Risk Subdomain": "Risk Sub-Domain"},
            "extra": ["Domain notes"],
        },
    )
    r = run("aiid", [classified, incidents], tmp_path, "b.csv")
    assert r.csv.read_text() == expected


def test_aiid_reads_list_cells_and_counts_an_incident_once_per_domain(tmp_path):
    inc = write_csv(tmp_path / "i.csv", [["incident_id", "date"], [1, "2022-01-01"]])
    cls = write_csv(
        tmp_path / "c.csv",
        [
            ["Incident ID", "Risk Domain", "Risk Subdomain"],
            [1, '["1. Discrimination", "4. Malicious"]', '["1.1. Unfair", "4.3. Fraud"]'],
            [1, "4. Malicious Actors", "4.3. Fraud"],
        ],
    )
    r = run("aiid", [inc, cls], tmp_path)
    assert r.csv.read_text() == "year,domain,incidents\n2022,1,1\n2022,4,1\n"


# --- epoch --------------------------------------------------------------------------------------


def test_epoch_models_per_country_and_year(tmp_path):
    r = run("epoch-models", [models_csv(tmp_path / "notable_ai_models.csv")], tmp_path)
    # Alpha's repeated US counts once; Gamma counts for China and Hong Kong; missing compute
    # is no maximum at all, not zero; float noise is dropped
    assert r.csv.read_text() == MODELS_EXPECTED
    odd = unmapped(r)
    assert odd[("Country (of organization)", "")] == ("counted under 'unknown'", 1)
    assert odd[("Publication date", "")] == ("model not used: no readable date", 1)
    src = sidecar(r)["sources"][0]
    assert (src["rows_read"], src["rows_used"]) == (7, 6)


def test_epoch_models_with_renamed_and_extra_columns(tmp_path):
    path = models_csv(
        tmp_path / "large_scale_ai_models.csv",
        rename={
            "Model": "System",
            "Publication date": "Publication Date",
            "Country (of organization)": "Country (of organisation)",
            "Training compute (FLOP)": "Training Compute [FLOP]",
        },
        extra=["Finetune compute (FLOP)", "Country notes"],
        reverse=True,
    )
    assert run("epoch-models", [path], tmp_path).csv.read_text() == MODELS_EXPECTED


def test_epoch_clusters_per_country_and_status_keep_anonymised_rows(tmp_path):
    r = run("epoch-clusters", [clusters_csv(tmp_path / "gpu_clusters.csv")], tmp_path)
    assert r.csv.read_text() == CLUSTERS_EXPECTED
    odd = unmapped(r)
    assert odd[("Status", "Rumoured")][0].startswith("kept as given")
    assert odd[("Country", "")] == ("counted under 'unknown'", 1)
    notes = " ".join(sidecar(r)["notes"])
    assert "1 of 8 clusters have no H100-equivalent" in notes and "possible duplicates" in notes


def test_epoch_clusters_with_renamed_headers(tmp_path):
    path = clusters_csv(
        tmp_path / "ai_supercomputers.csv",
        rename={"H100 equivalents": "H100e", "Status": "STATUS", "Name": "Cluster name"},
        extra=["Location"],
        reverse=True,
    )
    assert run("epoch-clusters", [path], tmp_path).csv.read_text() == CLUSTERS_EXPECTED


# --- wrong files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "make", "missing"),
    [
        ("mit-risk", lambda d: incidents_csv(d / "incidents.csv"), "'Category level'"),
        ("mit-risk", lambda d: models_csv(d / "models.csv"), "'Category level'"),
        ("epoch-models", lambda d: clusters_csv(d / "clusters.csv"), "'Publication date'"),
        ("epoch-models", lambda d: mit_workbook(d / "repo.xlsx"), "'Model'"),
        ("epoch-clusters", lambda d: models_csv(d / "models.csv"), "'Status'"),
        ("epoch-clusters", lambda d: incidents_csv(d / "incidents.csv"), "'H100 equivalents'"),
    ],
)
def test_the_wrong_file_names_the_file_and_what_is_missing_and_writes_nothing(
    kind, make, missing, tmp_path
):
    source = make(tmp_path)
    with pytest.raises(InputError) as err:
        run(kind, [source], tmp_path)
    assert source.name in str(err.value) and missing in str(err.value)
    assert not (tmp_path / "out").exists()


def test_aiid_given_another_taxonomy_names_what_is_missing(tmp_path):
    cset = write_csv(
        tmp_path / "classifications_CSETv1.csv",
        [
            ["Namespace", "Incident ID", "Published", "Harm Domain", "AI System", "AI System"],
            ["CSETv1", 1, "True", "yes", "", ""],
        ],
    )
    with pytest.raises(InputError, match=r"classifications_CSETv1\.csv.*'Risk Domain'"):
        run("aiid", [incidents_csv(tmp_path / "incidents.csv"), cset], tmp_path)
    assert not (tmp_path / "out").exists()


def test_aiid_given_the_incidents_twice_says_which_table_is_missing(tmp_path):
    a, b = incidents_csv(tmp_path / "a.csv"), incidents_csv(tmp_path / "b.csv")
    with pytest.raises(InputError, match=r"both a\.csv and b\.csv hold incidents.*classifications"):
        run("aiid", [a, b], tmp_path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"\xff\xfe not text", "not UTF-8"),
        (b"PK\x03\x04 broken zip", "not a readable workbook"),
    ],
)
def test_unreadable_files_are_named(content, problem, tmp_path):
    path = tmp_path / "download.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem) as err:
        run("epoch-models", [path], tmp_path)
    assert "download.csv" in str(err.value)


def test_missing_file_wrong_count_and_unknown_kind(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.csv: file not found"):
        run("epoch-models", [tmp_path / "nowhere.csv"], tmp_path)
    with pytest.raises(
        InputError, match=r"'aiid' reads 2 files \(INCIDENTS.csv CLASSIFICATIONS_MIT.csv\); got 1"
    ):
        run("aiid", [tmp_path / "x.csv"], tmp_path)
    with pytest.raises(InputError, match="unknown import kind 'aiid-cset'; kinds: mit-risk, aiid"):
        run("aiid-cset", [tmp_path / "x.csv"], tmp_path)


def test_a_header_without_rows_is_an_error(tmp_path):
    path = write_csv(
        tmp_path / "models.csv", [["Model", "Publication date", "Country", "Training compute"]]
    )
    with pytest.raises(InputError, match="has no rows under it"):
        run("epoch-models", [path], tmp_path)


# --- writing ------------------------------------------------------------------------------------


def test_default_output_is_data_evidence_kind_csv_with_its_sidecar(tmp_path):
    r = importers.run("epoch-clusters", [clusters_csv(tmp_path / "c.csv")], None, root=tmp_path)
    assert r.csv == tmp_path / "data" / "evidence" / "epoch-clusters.csv"
    assert r.sidecar == tmp_path / "data" / "evidence" / "epoch-clusters.csv.source.json"
    assert sorted(p.name for p in r.csv.parent.iterdir()) == [
        "epoch-clusters.csv",
        "epoch-clusters.csv.source.json",
    ]


def test_the_same_files_give_the_same_bytes_and_no_rewrite(tmp_path):
    source = mit_workbook(tmp_path / "repo.xlsx")
    first = run("mit-risk", [source], tmp_path)
    before = (first.csv.read_bytes(), first.sidecar.read_bytes(), first.sidecar.stat().st_mtime_ns)
    again = run("mit-risk", [source], tmp_path)
    assert first.changed and not again.changed
    assert (
        again.csv.read_bytes(),
        again.sidecar.read_bytes(),
        again.sidecar.stat().st_mtime_ns,
    ) == before
    text = first.sidecar.read_text()
    assert str(tmp_path) not in text, "sources are recorded by file name, not absolute path"
    meta = json.loads(text)
    assert list(meta) == sorted(meta)
    import hashlib

    assert meta["output"]["sha256"] == hashlib.sha256(first.csv.read_bytes()).hexdigest()
    assert meta["sources"][0]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()


def test_a_failed_import_leaves_the_existing_output_intact(tmp_path):
    out = tmp_path / "out" / "table.csv"
    good = run("epoch-models", [models_csv(tmp_path / "m.csv")], tmp_path)
    before = {p.name: p.read_bytes() for p in out.parent.iterdir()}
    with pytest.raises(InputError):
        run("epoch-models", [clusters_csv(tmp_path / "clusters.csv")], tmp_path)
    assert good.csv == out
    assert {p.name: p.read_bytes() for p in out.parent.iterdir()} == before


def test_a_write_that_fails_midway_changes_nothing_and_leaves_no_temporary_files(
    tmp_path, monkeypatch
):
    from riskbrief.importers import output

    out = tmp_path / "out" / "table.csv"
    run("epoch-models", [models_csv(tmp_path / "m.csv")], tmp_path)
    before = {p.name: p.read_bytes() for p in out.parent.iterdir()}
    real_fsync, calls = output.os.fsync, []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(output.os, "fsync", failing_fsync)
    newer = tmp_path / "newer.csv"
    newer.write_text(
        (tmp_path / "m.csv").read_text() + "Theta,Org,2025-01-01,Language,Japan,3e+23\n"
    )
    with pytest.raises(OSError, match="No space"):
        run("epoch-models", [newer], tmp_path)
    assert len(calls) == 2
    assert {p.name: p.read_bytes() for p in out.parent.iterdir()} == before


def test_output_must_be_a_csv_file(tmp_path):
    with pytest.raises(InputError, match=r"must be a \.csv file"):
        importers.run(
            "epoch-models", [models_csv(tmp_path / "m.csv")], tmp_path / "t.json", root=tmp_path
        )


# --- config and command line --------------------------------------------------------------------


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "data" / "evidence" / "sources.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_config_runs_every_import_and_paths_are_relative_to_the_project_root(tmp_path):
    models_csv(tmp_path / "downloads" / "models.csv")
    clusters_csv(tmp_path / "downloads" / "clusters.csv")
    config = write_config(
        tmp_path,
        "epoch-models:\n  - downloads/models.csv\nepoch-clusters: [downloads/clusters.csv]\n",
    )
    results = importers.run_config(config, root=tmp_path)
    assert [r.kind for r in results] == ["epoch-models", "epoch-clusters"]
    assert (tmp_path / "data" / "evidence" / "epoch-models.csv").read_text() == MODELS_EXPECTED


def test_config_with_one_failing_import_writes_nothing(tmp_path):
    models_csv(tmp_path / "downloads" / "models.csv")
    config = write_config(
        tmp_path, "epoch-models: [downloads/models.csv]\nepoch-clusters: [downloads/models.csv]\n"
    )
    with pytest.raises(InputError, match=r"models\.csv"):
        importers.run_config(config, root=tmp_path)
    assert sorted(p.name for p in config.parent.iterdir()) == ["sources.yaml"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("epoch-things: [a.csv]\n", "field 'epoch-things': unknown import kind"),
        ("epoch-models: a.csv\n", "field 'epoch-models': expected a list of file paths"),
        ("- a.csv\n", "expected a mapping of import kind"),
        ("epoch-models: [a.csv\n", "not valid YAML"),
    ],
)
def test_config_errors_name_the_file_and_the_kind(text, problem, tmp_path):
    config = write_config(tmp_path, text)
    with pytest.raises(InputError, match=problem) as err:
        importers.run_config(config, root=tmp_path)
    assert "sources.yaml" in str(err.value)


def test_cli_import_writes_and_reports(tmp_path, capsys):
    out = tmp_path / "ev" / "clusters.csv"
    code = cli.main(
        ["import", "epoch-clusters", str(clusters_csv(tmp_path / "c.csv")), "--out", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert out.read_text() == CLUSTERS_EXPECTED
    assert "epoch-clusters: 8 clusters in 4 countries" in printed
    assert (
        "2 values not mapped as they are (2 rows)" in printed
        and "clusters.csv.source.json" in printed
    )


def test_cli_import_of_a_wrong_file_exits_2_with_the_file_named(tmp_path, capsys):
    source = incidents_csv(tmp_path / "incidents.csv")
    code = cli.main(["import", "mit-risk", str(source), "--out", str(tmp_path / "m.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "incidents.csv" in err and "'Category level'" in err and "Traceback" not in err
    assert not (tmp_path / "m.csv").exists()


def test_cli_import_config_and_usage(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RISKBRIEF_ROOT", str(tmp_path))  # default outputs go to ROOT/data/evidence
    models_csv(tmp_path / "m.csv")
    config = write_config(tmp_path, f"epoch-models: [{tmp_path / 'm.csv'}]\n")
    assert cli.main(["import", "--config", str(config)]) == 0
    assert (tmp_path / "data" / "evidence" / "epoch-models.csv").read_text() == MODELS_EXPECTED
    assert cli.main(["import", "--config", str(config), "aiid"]) == 2
    assert cli.main(["import", "aiid"]) == 2
    assert "kinds: mit-risk" in capsys.readouterr().err


def test_cli_help_names_every_kind(capsys):
    with pytest.raises(SystemExit):
        cli.main(["import", "--help"])
    shown = "".join(capsys.readouterr().out.split())  # help text wraps, even at hyphens
    for kind in importers.kinds():
        assert kind in shown
