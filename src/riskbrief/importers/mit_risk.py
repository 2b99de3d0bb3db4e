"""``mit-risk``: risks per MIT domain and sub-domain, from the AI Risk Repository workbook.

The workbook's risk database sheet lists, for each framework in the review, a row for the
paper, a row per risk category, per risk sub-category and per piece of additional evidence
(``Category level``). A risk is a category or sub-category row. Its ``Domain`` and
``Sub-domain`` cells hold the code and the name in one string ("6. Socioeconomic and
Environmental", "6.5 > Governance failure"); only the codes are read, because names are
respelt between releases and between datasets.

Output ``domain,subdomain,risks``: one row per domain code (``1``–``7``) and sub-domain code
(``n.m`` as given, ``n.0`` where only the domain is coded), then ``unclassified,unclassified``
for risks with no usable domain (excluded or not coded). A domain's total is the sum of its rows.

:func:`code` and :func:`classify` read MIT codes; the AIID importer uses them too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pandas as pd

from riskbrief.errors import InputError
from riskbrief.importers.output import Dataset, Source, Table, Tally
from riskbrief.importers.tables import Column, Sheet, locate, normalise, read_sheets, stated, text

KIND = "mit-risk"
#: The domains of the MIT Domain Taxonomy of AI Risks (Slattery et al. 2024).
DOMAINS = tuple(range(1, 8))
UNCLASSIFIED = "unclassified"

COLUMNS = (
    Column("level", ("Category level", "level", "risk level", "row level", "entry level")),
    Column("domain", ("Domain", "risk domain", "MIT domain", "domain taxonomy")),
    Column("subdomain", ("Sub-domain", "risk sub-domain", "MIT sub-domain")),
    Column("id", ("Ev_ID", "evidence id", "risk id"), required=False),
)
WHAT = (
    "the MIT AI Risk Repository's risk database (a sheet with one row per paper, risk or evidence)"
)

#: ``Category level`` values: which rows are risks, which are not, by normalised label.
RISK_LEVELS = frozenset(
    normalise(v) for v in ("Risk Category", "Risk Sub-Category", "Category", "Sub-Category")
)
OTHER_LEVELS = frozenset(
    normalise(v) for v in ("Paper", "Document", "Framework", "Additional evidence", "Evidence")
)

DATASET = Dataset(
    title="The AI Risk Repository: AI Risk Database",
    publisher="MIT FutureTech (MIT AI Risk Initiative)",
    url="https://airisk.mit.edu/",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    attribution=(
        "Slattery, P., Saeri, A. K., Grundy, E. A. C., Graham, J., Noetel, M., Uuk, R., Dao, J., "
        "Pour, S., Casper, S., & Thompson, N. (2024). A systematic evidence review and common "
        "frame of reference for the risks from artificial intelligence. "
        "https://doi.org/10.48550/arXiv.2408.12622"
    ),
)

_CODE = re.compile(r"\s*(\d{1,2})(?:\s*\.\s*(\d{1,2}))?(?!\d)")
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_UPDATED = re.compile(
    r"(?:updated|released?|version\s+date)\s*(?:on)?\s*[:\-–]?\s*"
    rf"(\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{4}})",
    re.IGNORECASE,
)
_LICENCE = re.compile(
    r"licen[sc]ed\s+under\s+(?:an?\s+|the\s+)?(CC[\s-]?BY(?:[\s-](?:SA|NC|ND))*[\s-]\d\.\d)", re.I
)
_CITE = re.compile(r"cite\s+(?:this\s+work\s+)?as\s*:\s*(.+)", re.IGNORECASE | re.DOTALL)


def code(value: object) -> tuple[int, int | None] | None:
    """The MIT code at the start of a cell: ``'6.5 > Governance failure'`` -> (6, 5),
    ``'1. Discrimination & Toxicity'`` -> (1, None), ``'1.0'`` -> (1, 0); None if there is none
    (``'X.1 > Excluded'``, empty)."""
    m = _CODE.match(text(value))
    if not m:
        return None
    return int(m[1]), None if m[2] is None else int(m[2])


def classify(domain: object, subdomain: object) -> tuple[tuple[str, str] | None, str]:
    """A risk's (domain, sub-domain) codes from its two cells, and a word on anything odd.

    The sub-domain code decides where both agree or only it is given; a domain alone gives
    ``n.0``. Returns (None, reason) when no domain from 1 to 7 can be read. The second value is
    "" when the cells were read as they are, else what was done."""
    d, s = code(domain), code(subdomain)
    dom = d[0] if d and d[0] in DOMAINS else None
    if s and s[0] in DOMAINS and s[1] is not None:
        if dom is not None and dom != s[0]:
            return (str(s[0]), f"{s[0]}.{s[1]}"), "domain taken from the sub-domain code"
        return (str(s[0]), f"{s[0]}.{s[1]}"), ""
    if dom is None and s and s[0] in DOMAINS:  # a sub-domain cell holding a domain code only
        dom = s[0]
    if dom is not None:
        odd = text(subdomain) != "" and not (s and s[0] == dom)
        return (str(dom), f"{dom}.0"), "counted under the domain (n.0)" if odd else ""
    return None, f"counted as {UNCLASSIFIED}"


def _release_date(value: str) -> str | None:
    """'26 March 2025' -> '2025-03-26'; 'March 2025' -> '2025-03'."""
    for fmt, out in (
        ("%Y-%m-%d", "%Y-%m-%d"),
        ("%d %B %Y", "%Y-%m-%d"),
        ("%d %b %Y", "%Y-%m-%d"),
        ("%B %d, %Y", "%Y-%m-%d"),
        ("%B %d %Y", "%Y-%m-%d"),
        ("%B %Y", "%Y-%m"),
        ("%b %Y", "%Y-%m"),
    ):
        try:
            return dt.datetime.strptime(value, fmt).strftime(out)
        except ValueError:
            continue
    return None


def aggregate(
    frame: pd.DataFrame,
) -> tuple[pd.DataFrame, Counter[str], Counter[tuple[str, str, str]]]:
    """Risks per (domain, sub-domain) from the located rows (columns ``level``, ``domain``,
    ``subdomain``). Returns the table, the rows per level, and the values that could not be
    read as they are, counted by (column, value, what was done)."""
    levels: Counter[str] = Counter()
    counts: Counter[tuple[str, str]] = Counter()
    odd: Counter[tuple[str, str, str]] = Counter()
    for level, domain, subdomain in zip(
        frame["level"], frame["domain"], frame["subdomain"], strict=True
    ):
        label = text(level)
        levels[label] += 1
        key = normalise(label)
        if key not in RISK_LEVELS:
            if key not in OTHER_LEVELS:
                odd["level", label, "row not used: not a known level"] += 1
            continue
        where, note = classify(domain, subdomain)
        if note:
            column = "subdomain" if text(subdomain) else "domain"
            odd[column, text(subdomain) or text(domain), note] += 1
        counts[where or (UNCLASSIFIED, UNCLASSIFIED)] += 1
    out = pd.DataFrame(
        [(d, s, n) for (d, s), n in counts.items()], columns=["domain", "subdomain", "risks"]
    )
    return out.sort_values(["domain", "subdomain"], key=code_order, ignore_index=True), levels, odd


def code_order(col: pd.Series) -> pd.Series:
    """Codes in numeric order (``6.10`` after ``6.9``), ``unclassified`` last."""
    return col.map(lambda v: (1, ()) if v == UNCLASSIFIED else (0, tuple(map(int, v.split(".")))))


def _licence(statement: str) -> str:
    """'CC-BY-SA-4.0', 'cc by sa 4.0' -> 'CC BY-SA 4.0'."""
    parts = re.split(r"[\s-]+", statement.upper())
    return f"CC {'-'.join(parts[1:-1])} {parts[-1]}"


def load(sources: list[Path]) -> Table:
    """The ``mit-risk`` table from one workbook."""
    (path,) = sources
    sheets = read_sheets(path)
    located = locate(path, sheets, COLUMNS, WHAT)
    out, levels, odd = aggregate(located.frame)
    tally = Tally()
    tally.merge(located, odd)
    risks = int(out["risks"].sum())
    if not risks:
        found = ", ".join(f"'{k}'" for k in sorted(levels)) or "none"
        raise InputError(
            path,
            f"no risk rows: no '{located.headers['level']}' cell says risk category or "
            f"sub-category (levels found: {found})",
        )
    unclassified = int(out.loc[out["domain"] == UNCLASSIFIED, "risks"].sum())

    # the workbook states its release, licence and citation in banner rows: those above the
    # risk table first, then the other sheets in order (never the table's own cells)
    banner = Sheet(located.sheet.name, located.preamble)
    ordered = [banner, *[s for s in sheets if s is not located.sheet]]
    release, licence, cite = (stated(ordered, p) for p in (_UPDATED, _LICENCE, _CITE))
    dataset = DATASET
    if licence:
        dataset = replace(
            dataset,
            licence=_licence(licence[0]),
            licence_source=f"stated in the workbook (sheet '{licence[1]}')",
        )
    if cite:
        dataset = replace(dataset, attribution=" ".join(cite[0].split()))
    when = _release_date(release[0]) if release else None

    notes = [
        "A risk is a row whose level is a risk category or sub-category; paper and "
        "additional-evidence rows are not counted.",
        "Rows per level: "
        + ", ".join(f"{k or '(empty)'} {n}" for k, n in sorted(levels.items()))
        + ".",
    ]
    if "id" in located.frame:
        ids = located.frame["id"].map(text)
        repeated = sorted({i for i in ids[ids.duplicated()] if i})
        if repeated:
            notes.append(
                f"{len(repeated)} evidence ids appear on more than one row "
                f"({', '.join(repeated)}); each row is a separate record and is counted."
            )
    return Table(
        kind=KIND,
        columns=("domain", "subdomain", "risks"),
        rows=list(out.itertuples(index=False, name=None)),
        dataset=dataset,
        sources=[Source("risk database", located, risks)],
        unmapped=tally,
        summary=f"{risks:,} risks, {unclassified:,} of them unclassified",
        release=when,
        release_source=(
            f"stated in the workbook (sheet '{release[1]}'): '{release[0]}'"
            if release and when
            else "not stated in the file"
        ),
        notes=notes,
    )
