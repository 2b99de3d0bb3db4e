"""``aiid`` and ``aiid-subdomains``: AI incidents per year and MIT risk domain (or sub-domain).

Both read two tables of an AI Incident Database snapshot, given in either order: the incidents
(``incident_id``, ``date``) and their classifications on the MIT risk taxonomy (``Incident
ID``, ``Risk Domain``, ``Risk Subdomain``; ``classifications_MIT.csv`` in the snapshot). Each
file's role is told from its columns. An incident falls in the year of its date; it is counted
once under each distinct domain (or sub-domain) its published classifications give it, and
under ``unclassified`` when it has none.

Outputs: ``aiid`` — ``year,domain,incidents``; ``aiid-subdomains`` —
``year,domain,subdomain,incidents`` (sub-domain ``n.m``, or ``n.0`` where only the domain is
given). Year and domain combinations without incidents are left out.

The AIID is shared under CC BY-SA 4.0: the derived tables carry the same licence.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from riskbrief.errors import InputError
from riskbrief.importers.mit_risk import UNCLASSIFIED, classify, code_order
from riskbrief.importers.output import Dataset, Source, Table, Tally
from riskbrief.importers.tables import (
    Column,
    Located,
    date,
    items,
    locate,
    normalise,
    read_sheets,
    text,
)

INCIDENTS = (
    Column("incident", ("incident_id", "incident id", "incident number", "incident no")),
    Column("date", ("date", "incident date", "date of incident", "occurred")),
)
CLASSIFICATIONS = (
    Column("incident", ("Incident ID", "incident_id", "incident number")),
    Column("domain", ("Risk Domain", "MIT risk domain", "domain")),
    Column("subdomain", ("Risk Subdomain", "MIT risk subdomain", "sub-domain")),
    Column("published", ("Published", "is published"), required=False),
)
WHAT_INCIDENTS = "an AI Incident Database incidents table (incidents.csv)"
WHAT_CLASSIFICATIONS = (
    "AI Incident Database classifications on the MIT risk taxonomy (classifications_MIT.csv)"
)

DATASET = Dataset(
    title="AI Incident Database: incidents and their MIT risk-taxonomy classifications",
    publisher="Responsible AI Collaborative",
    url="https://incidentdatabase.ai/",
    licence="CC BY-SA 4.0",
    licence_url="https://creativecommons.org/licenses/by-sa/4.0/",
    attribution=(
        "AI Incident Database, Responsible AI Collaborative (incidentdatabase.ai), incidents and "
        "their classifications on the MIT AI risk taxonomy, CC BY-SA 4.0. McGregor, S. (2021). "
        "Preventing Repeated Real World AI Failures by Cataloging Incidents: The AI Incident "
        "Database. AAAI 35(17). https://doi.org/10.1609/aaai.v35i17.17817. This table is "
        "derived from it (incidents counted per year and risk domain) and is shared under the "
        "same licence."
    ),
)

_FALSE = frozenset(normalise(v) for v in ("false", "no", "0", "n", "unpublished"))


def identify(path: Path) -> tuple[str, Located]:
    """Which of the two tables ``path`` holds ('incidents' or 'classifications'), and where."""
    sheets = read_sheets(path)
    try:
        return "classifications", locate(path, sheets, CLASSIFICATIONS, WHAT_CLASSIFICATIONS)
    except InputError as not_classified:
        try:
            return "incidents", locate(path, sheets, INCIDENTS, WHAT_INCIDENTS)
        except InputError as not_incidents:
            raise InputError(
                path,
                f"{not_incidents.problem}; nor is it {not_classified.problem.removeprefix('not ')}",
            ) from None


def read_pair(sources: list[Path]) -> tuple[Located, Located]:
    """The incidents table and the classifications table, whichever order they came in."""
    found: dict[str, Located] = {}
    for path in sources:
        role, table = identify(path)
        if role in found:
            other = "classifications" if role == "incidents" else "incidents"
            raise InputError(
                path,
                f"both {found[role].path.name} and {path.name} hold {role}; the AI Incident "
                f"Database import also needs the {other} table",
            )
        found[role] = table
    return found["incidents"], found["classifications"]


def years(incidents: Located) -> tuple[dict[str, int], Counter[tuple[str, str, str]], str | None]:
    """Each incident's year, the values not read, and the newest date."""
    out: dict[str, int] = {}
    odd: Counter[tuple[str, str, str]] = Counter()
    newest: str | None = None
    for incident, when in zip(incidents.frame["incident"], incidents.frame["date"], strict=True):
        key = text(incident)
        parsed = date(when)
        if key == "":
            odd["incident", "", "row not used: no incident id"] += 1
        elif key in out:
            odd["incident", key, "row not used: incident id repeated"] += 1
        elif parsed is None:
            odd["date", text(when), "incident not used: no readable date"] += 1
        else:
            out[key] = parsed[0]
            newest = max(newest or parsed[1], parsed[1])
    return out, odd, newest


def classifications(
    table: Located, level: Callable[[tuple[str, str]], tuple[str, ...]]
) -> tuple[dict[str, set[tuple[str, ...]]], Counter[str], Counter[tuple[str, str, str]]]:
    """Each incident's classes (``level`` picks domain or domain and sub-domain from the
    codes), from its published rows; the rows that gave each incident a class; and the values
    that could not be read as they are."""
    out: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    rows: Counter[str] = Counter()
    odd: Counter[tuple[str, str, str]] = Counter()
    frame = table.frame
    published = frame["published"] if "published" in frame else [True] * len(frame)
    for incident, domain, subdomain, pub in zip(
        frame["incident"], frame["domain"], frame["subdomain"], published, strict=True
    ):
        key = text(incident)
        if key == "":
            odd["incident", "", "row not used: no incident id"] += 1
            continue
        if pub is False or normalise(text(pub)) in _FALSE:
            odd["published", text(pub), "classification not used: not published"] += 1
            continue
        domains, subdomains = items(domain), items(subdomain)
        # a later release may list several: pair them up where the counts agree
        pairs = (
            list(zip(domains, subdomains, strict=True))
            if len(domains) == len(subdomains)
            else [(d, "") for d in domains] + [("", s) for s in subdomains]
        )
        found = False
        for d, s in pairs or [("", "")]:
            where, note = classify(d, s)
            if note:
                column = "subdomain" if s else "domain"
                odd[column, s or d, note] += 1
            if where:
                out[key].add(level(where))
                found = True
        rows[key] += found
    return out, rows, odd


def aggregate(
    incident_years: dict[str, int], classes: dict[str, set[tuple[str, ...]]], width: int
) -> pd.DataFrame:
    """Incidents per year and class; ``width`` is the number of class columns (1 or 2)."""
    counts: Counter[tuple[object, ...]] = Counter()
    for incident, year in incident_years.items():
        for c in classes.get(incident) or {(UNCLASSIFIED,) * width}:
            counts[(year, *c)] += 1
    keys = ["domain", "subdomain"][:width]
    frame = pd.DataFrame(
        [(*k, n) for k, n in counts.items()], columns=["year", *keys, "incidents"]
    ).astype({"year": "int64", "incidents": "int64"})

    return frame.sort_values(
        ["year", *keys], key=lambda c: c if c.name == "year" else code_order(c), ignore_index=True
    )


def _load(kind: str, sources: list[Path], width: int) -> Table:
    incidents, classified = read_pair(sources)
    tally = Tally()
    incident_years, odd_years, newest = years(incidents)
    if not incident_years:
        raise InputError(
            incidents.path,
            f"no incident has both an id ('{incidents.headers['incident']}') and a readable "
            f"date ('{incidents.headers['date']}')",
        )
    tally.merge(incidents, odd_years)

    def level(where: tuple[str, str]) -> tuple[str, ...]:
        return where[:width]

    classes, class_rows, odd_classes = classifications(classified, level)
    tally.merge(classified, odd_classes)
    strays = sorted(set(classes) - set(incident_years), key=lambda i: (len(i), i))
    for incident in strays:
        tally.add(
            classified.path,
            classified.headers["incident"],
            incident,
            "classification not used: no such incident with a date in the incidents table",
        )
    out = aggregate(incident_years, classes, width)
    used = {i for i in classes if i in incident_years}
    unclassified = len(incident_years) - len(used)
    notes = [
        "An incident is counted once under each distinct "
        + ("domain" if width == 1 else "sub-domain")
        + " its published MIT classifications give it, in the year of its date; incidents "
        "without one are counted as unclassified.",
    ]
    if newest and not newest.endswith("-12-31"):
        notes.append(
            f"The newest incident is dated {newest}: counts for {newest[:4]} cover part of the year."
        )
    return Table(
        kind=kind,
        columns=("year", *["domain", "subdomain"][:width], "incidents"),
        rows=list(out.itertuples(index=False, name=None)),
        dataset=DATASET,
        sources=[
            Source("incidents", incidents, len(incident_years)),
            Source("MIT risk classifications", classified, sum(class_rows[i] for i in used)),
        ],
        unmapped=tally,
        summary=(
            f"{len(incident_years):,} incidents, {len(used):,} classified, "
            f"{unclassified:,} unclassified"
        ),
        data_through=newest,
        notes=notes,
    )


def load(sources: list[Path]) -> Table:
    """The ``aiid`` table: incidents per year and MIT domain."""
    return _load("aiid", sources, 1)


def load_subdomains(sources: list[Path]) -> Table:
    """The ``aiid-subdomains`` table: incidents per year, MIT domain and sub-domain."""
    return _load("aiid-subdomains", sources, 2)
