"""CSV readers and the indicators table: what an analyst sees when a file is wrong."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pandas as pd
import pytest

from riskbrief import indicators, readers
from riskbrief.errors import InputError, InputErrors, Problems

INDICATORS = Path(__file__).parents[1] / "data" / "indicators.csv"

COLUMNS = ("id", "name", "score")


def write(tmp_path: Path, text: str | bytes, name: str = "table.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def read(path: Path) -> pd.DataFrame:
    return readers.read_table(path, COLUMNS)


def test_rows_are_numbered_as_in_a_spreadsheet(tmp_path):
    path = write(tmp_path, "id,name,score\na,Alpha,1\n\nb,Beta,2\n")
    frame = read(path)
    # header row 1, 'a' row 2, blank row 3 skipped, 'b' row 4
    assert list(frame.index) == [2, 4]
    assert frame.loc[4, "name"] == "Beta"


def test_cells_and_header_are_stripped_and_columns_may_be_reordered(tmp_path):
    path = write(tmp_path, " score , id ,name\n 3 , a , Alpha \n")
    frame = read(path)
    assert list(frame.columns) == list(COLUMNS)
    assert frame.iloc[0].tolist() == ["a", "Alpha", "3"]


def test_quoted_fields_may_hold_commas_and_newlines(tmp_path):
    path = write(tmp_path, 'id,name,score\na,"Alpha, first\nline two",1\nb,Beta,2\n')
    frame = read(path)
    # a quoted newline is one spreadsheet row
    assert list(frame.index) == [2, 3]
    assert frame.loc[2, "name"] == "Alpha, first\nline two"


def test_utf8_byte_order_mark_is_stripped(tmp_path):
    path = write(tmp_path, codecs.BOM_UTF8 + "id,name,score\na,Äpfel,1\n".encode())
    frame = read(path)
    assert list(frame.columns) == list(COLUMNS)
    assert frame.loc[2, "name"] == "Äpfel"


def test_non_utf8_bytes_name_file_row_and_byte(tmp_path):
    raw = b"id,name,score\na,Alpha,1\nb,Caf" + b"\xe9" + b",2\n"
    path = write(tmp_path, raw)
    with pytest.raises(InputError) as err:
        read(path)
    e = err.value
    assert e.row == 3
    assert "table.csv" in str(e) and "row 3" in str(e)
    offset = raw.index(b"\xe9")
    assert f"byte {offset} (0xe9)" in str(e)
    assert "UTF-8" in str(e)


@pytest.mark.parametrize("text", ["", "\n\n", "  \n", ",,\n"])
def test_empty_file(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(InputError, match=r"table\.csv: the file is empty; expected a header"):
        read(path)


def test_header_without_data_rows(tmp_path):
    path = write(tmp_path, "id,name,score\n")
    with pytest.raises(InputError, match=r"table\.csv: the file has a header but no data rows"):
        read(path)


def test_missing_column_names_file_and_header_row(tmp_path):
    path = write(tmp_path, "id,score\na,1\n")
    with pytest.raises(InputError) as err:
        read(path)
    assert str(err.value) == f"{path}, row 1: missing column: name"


def test_unexpected_column_names_the_column(tmp_path):
    path = write(tmp_path, "id,name,score,colour\na,Alpha,1,red\n")
    with pytest.raises(InputError) as err:
        read(path)
    assert err.value.row == 1 and err.value.field == "colour"
    assert "unexpected column 'colour'" in str(err.value)


def test_optional_columns_are_allowed_and_filled(tmp_path):
    path = write(tmp_path, "id,name,score\na,Alpha,1\n")
    frame = readers.read_table(path, COLUMNS, optional=("notes",))
    assert frame.loc[2, "notes"] == ""


def test_duplicate_header_and_ragged_row(tmp_path):
    path = write(tmp_path, "id,name,score,name\na,A,1,B\n")
    with pytest.raises(InputError, match=r"row 1, field 'name': column 'name' appears twice"):
        read(path)
    path = write(tmp_path, "id,name,score\na,Alpha\nb,Beta,2\n", "ragged.csv")
    with pytest.raises(InputError, match=r"ragged\.csv, row 2: expected 3 fields, found 2"):
        read(path)


def test_broken_quoting_names_the_row(tmp_path):
    path = write(tmp_path, 'id,name,score\na,Alpha,1\nb,"Be"ta,2\n')
    with pytest.raises(InputError) as err:
        read(path)
    assert err.value.row == 3 and "not a readable CSV file" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read(tmp_path / "nope.csv")


def test_typed_readers_collect_every_problem_with_row_and_field(tmp_path):
    path = write(
        tmp_path,
        "id,name,score\na,Alpha,3\nb,,3.5\na,Gamma,7\n",
    )
    frame = read(path)
    problems = Problems(path)
    readers.unique(frame, "id", problems)
    readers.non_empty(frame, "name", problems)
    scores = readers.integers(frame, "score", problems, 1, 5)
    assert scores.tolist() == [3, None, None]
    with pytest.raises(InputErrors) as err:
        problems.raise_if_any()
    messages = str(err.value).splitlines()
    assert messages == [
        f"{path}, row 3, field 'name': must not be empty",
        f"{path}, row 3, field 'score': must be a whole number from 1 to 5, got '3.5'",
        f"{path}, row 4, field 'id': duplicate id 'a' (first used in row 2)",
        f"{path}, row 4, field 'score': must be from 1 to 5, got 7",
    ]


def test_dates_choices_and_lists(tmp_path):
    path = write(tmp_path, "d,c,l\n2026-02-30,x,US;Mars\n2026-11-27,a,US;US\n")
    frame = readers.read_table(path, ("d", "c", "l"))
    problems = Problems(path)
    readers.dates(frame, "d", problems)
    readers.choices(frame, "c", ("a", "b"), problems)
    readers.lists(frame, "l", ("US", "China"), problems)
    text = str(InputErrors(problems.errors))
    assert "row 2, field 'd': '2026-02-30' does not exist as a date" in text
    assert "row 2, field 'c': must be one of a, b; got 'x'" in text
    assert "row 2, field 'l': unknown value 'Mars'" in text
    assert "row 3, field 'l': lists a value twice" in text


# --- indicators ------------------------------------------------------------------------------


def test_project_indicators_load_and_keep_their_sources():
    ind = indicators.load_indicators(INDICATORS)
    assert ind["value"].dtype == float
    assert (ind["source"] != "").all() and (ind["locator"] != "").all()
    assert set(ind["evidence"]) <= set(indicators.EVIDENCE)
    # every figure the context section states is present
    figures = indicators.context_figures(ind)
    assert figures["models_2024_us"] == 40 and figures["models_2024_china"] == 15
    assert figures["benchmark_gap_median_end_2023"] == pytest.approx((17.5 + 24.3) / 2)
    assert figures["benchmark_gap_median_end_2024"] == pytest.approx((1.6 + 3.7) / 2)


def test_project_indicators_match_the_facts_table():
    """Each row's value, source and locator are those of its facts-table row (the end-2024
    MATH and MMMU gaps are in the notes of the end-2023 rows)."""
    facts_path = Path(
        os.environ.get("RISKBRIEF_FACTS")
        or Path(__file__).resolve().parents[2] / "shared" / "reference" / "facts.csv"
    )
    if not facts_path.is_file():
        pytest.skip(
            "the researched facts table (facts.csv) is not part of the repository: "
            "set RISKBRIEF_FACTS to its path to check data/indicators.csv against it"
        )
    facts = pd.read_csv(facts_path, dtype=str, keep_default_na=False).set_index("id")
    for row in indicators.load_indicators(INDICATORS).itertuples():
        fact = facts.loc[row.fact_id]
        assert row.source == fact["source"], row.id
        assert row.url == fact["url"], row.id
        assert row.evidence == fact["evidence"], row.id
        if row.locator == fact["locator"]:
            assert row.value == float(fact["value"]), row.id
        else:
            assert f"end-2024: {row.value:g}" in fact["notes"], row.id


INDICATOR_HEADER = ",".join(indicators.INDICATOR_COLUMNS)


def test_indicator_errors_name_row_and_field(tmp_path):
    good = "models-2024-us,F001,Notable AI models,United States,2024,40,models,AI Index,p.46,https://x.org,primary-text"
    path = write(
        tmp_path,
        "\n".join(
            [
                INDICATOR_HEADER,
                good,
                good.replace("F001", "1").replace(",40,", ",~40,"),
                good.replace("models-2024-us", "b").replace("primary-text", "rumour"),
            ]
        )
        + "\n",
        "indicators.csv",
    )
    with pytest.raises(InputErrors) as err:
        indicators.load_indicators(path)
    text = str(err.value)
    assert "indicators.csv, row 3, field 'id': duplicate id 'models-2024-us'" in text
    assert "indicators.csv, row 3, field 'fact_id': must be a facts-table id" in text
    assert "indicators.csv, row 3, field 'value': must be a number, got '~40'" in text
    assert "indicators.csv, row 4, field 'evidence': must be one of" in text
    assert (
        "indicators.csv, row 4, field 'indicator': the same indicator, actor and year as row 2"
        in text
    )


def test_missing_indicator_is_an_error_naming_the_file(tmp_path):
    path = write(
        tmp_path,
        INDICATOR_HEADER
        + "\nm,F001,Notable AI models,United States,2024,40,models,AI Index,p.46,https://x.org,primary-text\n",
        "indicators.csv",
    )
    ind = indicators.load_indicators(path)
    expected = (
        r"indicators\.csv, field 'indicator': no row for indicator 'Notable AI models' "
        r"with actor 'United States', year '2023'"
    )
    with pytest.raises(InputError, match=expected):
        indicators.context_figures(ind)
