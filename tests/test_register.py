"""Loading and validating the risk register and the article's urgency ratings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from riskbrief import register
from riskbrief.errors import InputError

ROOT = Path(__file__).parents[1]

GOOD = {
    "id": "R01",
    "title": "Adversarial attacks",
    "description": "Models are fooled by crafted inputs.",
    "category": "Model Robustness",
    "subdomain": "2.2",
    "likelihood_low": "3",
    "likelihood_mode": "4",
    "likelihood_high": "5",
    "impact_low": "2",
    "impact_mode": "3",
    "impact_high": "4",
    "trend": "rising",
    "actors": "US;China",
    "basis": "Analyst judgement, illustrative",
    "last_reviewed": "2026-11-20",
}


def register_csv(tmp_path: Path, *rows: dict, columns=register.REGISTER_COLUMNS) -> Path:
    """A register file with the given rows (each a change to GOOD; ids default to R01, R02 …)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for i, change in enumerate(rows, start=1):
        w.writerow({**GOOD, "id": f"R{i:02d}", **change})
    path = tmp_path / "risk_register.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def only_error(path: Path) -> InputError:
    with pytest.raises(InputError) as err:
        register.load_register(path)
    return err.value


def assert_names(e: InputError, row: int | None, field: str | None, text: str) -> None:
    """The message names the file, the row and the field, and says what is wrong."""
    message = str(e)
    assert message.startswith(str(e.path)) and "risk_register.csv" in message
    if row is not None:
        assert f"row {row}" in message
    if field is not None:
        assert f"field '{field}'" in message
    assert text in message


def test_project_register_is_valid_and_large_enough():
    reg = register.load_register(ROOT / "data" / "risk_register.csv")
    assert len(reg) >= 16
    assert set(reg["category"]) == set(register.CATEGORIES)
    assert reg["likelihood_mode"].dtype.kind == "i"
    assert all(isinstance(a, tuple) for a in reg["actors"])
    assert all(isinstance(d, dt.date) for d in reg["last_reviewed"])
    # every judgement-based score says so
    assert reg["basis"].str.contains("Analyst judgement").all()


def test_project_urgency_is_the_articles():
    urg = register.load_urgency(ROOT / "data" / "article_urgency.csv").set_index("category")
    assert urg["urgency"].to_dict() == {
        "Model Robustness": "High",
        "Alignment Complexity": "Critical",
        "Societal Disruption": "Moderate to High",
        "Weaponization": "Critical",
    }
    assert urg.loc["Societal Disruption", ["urgency_low", "urgency_high"]].tolist() == [
        "Moderate",
        "High",
    ]


def test_a_good_row_loads_typed(tmp_path):
    reg = register.load_register(register_csv(tmp_path, {}))
    row = reg.iloc[0]
    assert row["likelihood_high"] == 5 and row["actors"] == ("US", "China")
    assert row["last_reviewed"] == dt.date(2026, 11, 20)
    assert row["row"] == 2


def test_missing_column(tmp_path):
    cols = [c for c in register.REGISTER_COLUMNS if c != "trend"]
    e = only_error(register_csv(tmp_path, {}, columns=cols))
    assert_names(e, 1, None, "missing column: trend")


def test_unexpected_column(tmp_path):
    cols = [*register.REGISTER_COLUMNS, "owner"]
    e = only_error(register_csv(tmp_path, {"owner": "me"}, columns=cols))
    assert_names(e, 1, "owner", "unexpected column 'owner'")


def test_empty_file(tmp_path):
    path = tmp_path / "risk_register.csv"
    path.write_bytes(b"")
    assert_names(only_error(path), None, None, "the file is empty")


def test_non_utf8_bytes(tmp_path):
    path = register_csv(tmp_path, {}, {"title": "Caf\u00e9 risk"})
    path.write_bytes(path.read_bytes().replace("é".encode(), b"\xe9"))
    assert_names(only_error(path), 3, None, "not UTF-8")


def test_unknown_category(tmp_path):
    e = only_error(register_csv(tmp_path, {}, {"category": "Robustness"}))
    assert_names(e, 3, "category", "got 'Robustness'")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("8.1", "'8.1' is not an MIT AI Risk Repository subdomain code"),
        ("7", "'7' is a domain; give one of its subdomains (7.1, 7.2"),
        ("", "'' is not an MIT AI Risk Repository subdomain code"),
    ],
)
def test_unknown_subdomain(tmp_path, code, text):
    e = only_error(register_csv(tmp_path, {"subdomain": code}))
    assert_names(e, 2, "subdomain", text)


@pytest.mark.parametrize(
    ("value", "text"),
    [("0", "must be from 1 to 5, got 0"), ("6", "must be from 1 to 5, got 6")],
)
def test_score_outside_the_scale(tmp_path, value, text):
    e = only_error(register_csv(tmp_path, {"impact_high": value}))
    assert_names(e, 2, "impact_high", text)


@pytest.mark.parametrize("value", ["3.5", "3.0", "high", ""])
def test_score_not_a_whole_number(tmp_path, value):
    e = only_error(register_csv(tmp_path, {"likelihood_mode": value}))
    assert_names(e, 2, "likelihood_mode", "must be a whole number from 1 to 5")


def test_low_above_mode(tmp_path):
    e = only_error(register_csv(tmp_path, {"likelihood_low": "5"}))
    assert_names(e, 2, "likelihood_low", "likelihood_low (5) is above likelihood_mode (4)")


def test_mode_above_high(tmp_path):
    e = only_error(register_csv(tmp_path, {}, {"impact_mode": "5", "impact_high": "4"}))
    assert_names(e, 3, "impact_high", "impact_mode (5) is above impact_high (4)")


def test_duplicate_ids(tmp_path):
    e = only_error(register_csv(tmp_path, {"id": "R07"}, {}, {"id": "R07"}))
    assert_names(e, 4, "id", "duplicate id 'R07' (first used in row 2)")


@pytest.mark.parametrize("value", ["20/11/2026", "yesterday", ""])
def test_bad_date(tmp_path, value):
    e = only_error(register_csv(tmp_path, {"last_reviewed": value}))
    assert_names(e, 2, "last_reviewed", "must be a date written YYYY-MM-DD")


def test_date_that_does_not_exist(tmp_path):
    e = only_error(register_csv(tmp_path, {"last_reviewed": "2026-13-01"}))
    assert_names(e, 2, "last_reviewed", "'2026-13-01' does not exist as a date")


def test_bad_trend(tmp_path):
    e = only_error(register_csv(tmp_path, {"trend": "up"}))
    assert_names(e, 2, "trend", "must be one of rising, stable, falling; got 'up'")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("US,China", "unknown value 'US,China'"),
        ("US;EU", "unknown value 'EU'"),
        ("", "must list one or more of US, China, global"),
        ("US;", "must list one or more of US, China, global"),
        ("China;China", "lists a value twice"),
    ],
)
def test_bad_actors(tmp_path, value, text):
    e = only_error(register_csv(tmp_path, {"actors": value}))
    assert_names(e, 2, "actors", text)


def test_several_problems_are_reported_together_in_row_order(tmp_path):
    path = register_csv(tmp_path, {"trend": "up"}, {"category": "X", "impact_low": "9"})
    with pytest.raises(InputError) as err:
        register.load_register(path)
    lines = str(err.value).splitlines()
    assert len(lines) == 3
    assert [line.split(", ")[1] for line in lines] == ["row 2", "row 3", "row 3"]


# --- urgency ---------------------------------------------------------------------------------

URGENCY_HEADER = "category,urgency,source,locator,quote\n"


def urgency_csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "article_urgency.csv"
    path.write_text(URGENCY_HEADER + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("High", ("High", "High")),
        ("Moderate to High", ("Moderate", "High")),
        ("High to Moderate", None),
        ("Severe", None),
        ("", None),
    ],
)
def test_urgency_range(text, expected):
    assert register.urgency_range(text) == expected


def test_urgency_errors_name_row_and_field(tmp_path):
    path = urgency_csv(
        tmp_path,
        "Weaponization,Critical,Article,table,quote\n"
        "Weaponization,Severe,Article,table,quote\n"
        "Robots,High,Article,,quote\n",
    )
    with pytest.raises(InputError) as err:
        register.load_urgency(path)
    text = str(err.value)
    assert (
        "article_urgency.csv, row 3, field 'category': duplicate category 'Weaponization'" in text
    )
    assert "article_urgency.csv, row 3, field 'urgency': must be one of Low, Moderate" in text
    assert "article_urgency.csv, row 4, field 'category': must be one of" in text
    assert "article_urgency.csv, row 4, field 'locator': must not be empty" in text
