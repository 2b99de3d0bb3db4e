"""Small source files for the importer tests, in the shapes the publishers use.

Each writer takes the header names as arguments, so a test can rename, reorder or add
columns the way a later release might.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

#: The real snapshots (never copied into the project); RISKBRIEF_SHARED_DATA overrides.
SHARED = Path(
    os.environ.get("RISKBRIEF_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


MIT_HEADER = (
    "Title",
    "QuickRef",
    "Ev_ID",
    "Category level",
    "Risk category",
    "Domain",
    "Sub-domain",
)

#: (level, domain, sub-domain) of the risk rows, and what they count as
MIT_ROWS = [
    ("Paper", "", ""),
    ("Risk Category", "6. Socioeconomic and Environmental", "6.5 > Governance failure"),
    (
        "Risk Sub-Category",
        "7. AI System Safety, Failures, & Limitations",
        "7.3 > Lack of capability or robustness",
    ),
    (
        "Risk Sub-Category",
        "7. AI System Safety, Failures, & Limitations",
        "7.3 > Lack of capability or robustness",
    ),
    ("Additional evidence", "", ""),
    ("Risk Category", "", "X.1 > Excluded"),
    ("Risk Category", "4. Malicious Actors & Misuse", "4.0 > Malicious use"),
    ("Risk Sub-Category", "", ""),
    ("Risk Category", "1. Discrimination & Toxicity", ""),
]
MIT_EXPECTED = (
    "domain,subdomain,risks\n1,1.0,1\n4,4.0,1\n6,6.5,1\n7,7.3,2\nunclassified,unclassified,2\n"
)


def table(
    header: Sequence[str],
    records: Sequence[Sequence[object]],
    *,
    rename: dict[str, str] | None = None,
    extra: Sequence[str] = (),
    reverse: bool = False,
) -> list[list[object]]:
    """Header and rows; ``rename`` respells headers, ``extra`` adds columns, ``reverse``
    reverses the column order, as a later release might."""
    order = list(range(len(header)))[:: -1 if reverse else 1]
    rows: list[list[object]] = [
        [(rename or {}).get(header[i], header[i]) for i in order] + list(extra)
    ]
    for rec in records:
        rows.append([rec[i] for i in order] + [f"{x} value" for x in extra])
    return rows


def mit_records() -> list[tuple[object, ...]]:
    return [
        (f"Paper {n}", f"Ref{n}", f"{n:02d}.00.00", lv, f"Risk {n}", d, s)
        for n, (lv, d, s) in enumerate(MIT_ROWS, 1)
    ]


def mit_workbook(
    path: Path, *, sheet: str = "AI Risk Database v3", banner_rows: int = 2, **changes: object
) -> Path:
    """A workbook shaped like the repository's: contents, an explainer that repeats the header
    above an example, and the risk sheet with banner rows above its header."""
    banner: list[list[object]] = [
        [
            "Not mobile-friendly",
            "",
            "Updated: 26 March 2025",
            "This work is licensed under CC BY 4.0",
        ],
        ["AI Risk Database", "High-level \nCausal Taxonomy", "Mid-level \nDomain Taxonomy"],
    ] + [["(notes)"]] * max(0, banner_rows - 2)
    return write_xlsx(
        path,
        {
            "Contents": [
                ["The AI Risk Repository"],
                ["Updated: 26 March 2025"],
                ["📄 Cite as: Slattery, P. et al. (2024). A test citation."],
            ],
            "AI Risk Database explainer": [
                ["Updated: March 2025"],
                *table(MIT_HEADER, [("T", "Q", "01.00.00", "Paper", "", "", "")]),
            ],
            sheet: [*banner[:banner_rows], *table(MIT_HEADER, mit_records(), **changes)],  # type: ignore[arg-type]
        },
    )


INCIDENT_HEADER = ("_id", "incident_id", "date", "reports", "description", "title")
INCIDENTS = [
    (1, "2019-05-01"),
    (2, "2019-07-04"),
    (3, "2020-01-02"),
    (5, "2020-02-03"),  # ids have gaps
    (6, "2021-12-31"),  # unclassified
    (7, "someday"),  # no readable date
]
CLASSIFICATION_HEADER = (
    "Namespace",
    "Incident ID",
    "Published",
    "Risk Domain",
    "Risk Subdomain",
    "Entity",
)
CLASSIFICATIONS = [
    (1, "True", "1. Discrimination and Toxicity", "1.2. Exposure to toxic content"),
    (
        2,
        "True",
        "7. AI system safety, failures, and limitations",
        "7.3. Lack of capability or robustness",
    ),
    (3, "True", "4. Malicious Actors & Misuse", "4.3. Fraud, scams, and targeted manipulation"),
    (5, "False", "4. Malicious Actors & Misuse", "4.1. Disinformation"),  # not published
    (9, "True", "3. Misinformation", "3.1. False or misleading information"),  # no such incident
]


def incidents_csv(path: Path, **changes: object) -> Path:
    records = [
        (f"ObjectId({i:024x})", i, d, f"[{i},{i + 1}]", "desc, with comma", f'Title "{i}"')
        for i, d in INCIDENTS
    ]
    return write_csv(path, table(INCIDENT_HEADER, records, **changes))  # type: ignore[arg-type]


def classifications_csv(path: Path, **changes: object) -> Path:
    records = [("MIT", i, pub, d, s, "AI") for i, pub, d, s in CLASSIFICATIONS]
    return write_csv(path, table(CLASSIFICATION_HEADER, records, **changes))  # type: ignore[arg-type]


MODEL_HEADER = (
    "Model",
    "Organization",
    "Publication date",
    "Domain",
    "Country (of organization)",
    "Training compute (FLOP)",
)
MODELS = [
    ("Alpha", "2024-03-01", "United States of America,United States of America", "6.000001e+24"),
    ("Beta", "2024-05-01", "United States of America", ""),
    ("Gamma", "2024-06-01", "China,Hong Kong", "2e+24"),
    ("Delta", "2024-07-01", "Taiwan", ""),
    ("Epsilon", "2023-01-01", "China", ""),
    ("Zeta", "2023-02-01", "", "1e+20"),
    ("Eta", "", "China", "1e+25"),
]
MODELS_EXPECTED = (
    "country,year,models,max_training_compute_flop,top_model\n"
    "China,2023,1,,\n"
    "China,2024,1,2e+24,Gamma\n"
    "Hong Kong,2024,1,2e+24,Gamma\n"
    "Taiwan,2024,1,,\n"
    "United States,2024,2,6e+24,Alpha\n"
    "unknown,2023,1,1e+20,Zeta\n"
)


def models_csv(path: Path, **changes: object) -> Path:
    records = [(name, "Org", d, "Language", c, flop) for name, d, c, flop in MODELS]
    return write_csv(path, table(MODEL_HEADER, records, **changes))  # type: ignore[arg-type]


CLUSTER_HEADER = (
    "Name",
    "Status",
    "Certainty",
    "H100 equivalents",
    "Country",
    "Owner",
    "Possible Duplicate",
)
CLUSTERS = [
    ("Anonymized Chinese System", "Existing", "30000", "China", ""),
    ("Anonymized Chinese System", "Existing", "30000", "China", "True"),  # a real, distinct record
    ("Anonymized Chinese System", "Planned", "", "China", ""),
    ("Colossus", "Existing", "200000.0000001", "United States of America", ""),
    ("Frontier", "existing ", "30000", "United States of America", ""),
    ("Old One", "Decommissioned", "1000", "United States of America", ""),
    ("Somewhere", "Rumoured", "5", "Japan", ""),
    ("EU Gigafactory", "Planned", "100000", "", ""),
]
CLUSTERS_EXPECTED = (
    "country,status,clusters,h100e_total,h100e_largest,largest\n"
    "China,Existing,2,60000,30000,Anonymized Chinese System\n"
    "China,Planned,1,,,\n"
    "Japan,Rumoured,1,5,5,Somewhere\n"
    "United States,Existing,2,230000,200000,Colossus\n"
    "United States,Decommissioned,1,1000,1000,Old One\n"
    "unknown,Planned,1,100000,100000,EU Gigafactory\n"
)


def clusters_csv(path: Path, **changes: object) -> Path:
    records = [(name, status, "Likely", h, c, "Owner", dup) for name, status, h, c, dup in CLUSTERS]
    return write_csv(path, table(CLUSTER_HEADER, records, **changes))  # type: ignore[arg-type]
