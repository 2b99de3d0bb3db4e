"""``epoch-models`` and ``epoch-clusters``: Epoch AI's model and GPU-cluster tables by country.

Country cells are comma-joined lists that may repeat a country ("China,China"); a record
counts once for each distinct country it names. "United States of America" is reported as
``United States``; every other country keeps Epoch's name, so Hong Kong and Taiwan stay apart
from China. Spellings that differ only in case, spacing or punctuation are grouped under the
most common one. A record with no country is counted under ``unknown``.

``epoch-models`` (the notable-models table or the large-scale one, same columns):
``country,year,models,max_training_compute_flop,top_model`` — models per country and year of
publication; the largest training compute among them (6 significant digits, which drops the
float noise in Epoch's estimates) and the model that has it. Missing compute is left out of
the maximum, never read as zero; where no model of the year has one, both cells are empty.

``epoch-clusters``: ``country,status,clusters,h100e_total,h100e_largest,largest`` — clusters
per country and status (Existing, Planned, Decommissioned), their H100-equivalents summed and
the largest with its name. Anonymised rows ("Anonymized Chinese System") are real, distinct
records and are all kept.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from riskbrief.errors import InputError
from riskbrief.importers.output import Dataset, Source, Table, Tally, fmt_decimal, fmt_significant
from riskbrief.importers.tables import (
    Column,
    canonical_labels,
    date,
    items,
    locate,
    normalise,
    number,
    read_sheets,
    text,
)

US = "United States"
UNKNOWN = "unknown"
_ALIASES = {
    normalise(n): US for n in ("United States of America", "United States", "USA", "U.S.A.")
}

MODEL_COLUMNS = (
    Column("model", ("Model", "system", "model name", "system name")),
    Column("date", ("Publication date", "release date", "date published", "date")),
    Column(
        "country",
        ("Country (of organization)", "country of organisation", "organization country", "country"),
    ),
    Column("compute", ("Training compute (FLOP)", "training compute", "training compute flops")),
)
CLUSTER_COLUMNS = (
    Column("name", ("Name", "cluster name", "system name", "cluster", "supercomputer")),
    Column("status", ("Status", "operational status")),
    Column("country", ("Country", "countries", "country of location", "location country")),
    Column("h100e", ("H100 equivalents", "H100e", "H100-equivalent", "H100 equivalent count")),
    Column("duplicate", ("Possible Duplicate",), required=False),
)
WHAT_MODELS = "an Epoch AI models table (notable_ai_models.csv or large_scale_ai_models.csv)"
WHAT_CLUSTERS = "Epoch AI's GPU clusters table (gpu_clusters.csv)"
STATUSES = ("Existing", "Planned", "Decommissioned")
_STATUS = {normalise(s): s for s in STATUSES}

MODELS_DATASET = Dataset(
    title="Epoch AI, Data on AI Models (notable or large-scale models table)",
    publisher="Epoch AI",
    url="https://epoch.ai/data/ai-models",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    attribution=(
        "Epoch AI, 'Parameter, Compute and Data Trends in Machine Learning'. Published online "
        "at epoch.ai. Retrieved from: 'https://epoch.ai/data/ai-models' [online resource]. "
        "CC BY 4.0."
    ),
)
CLUSTERS_DATASET = Dataset(
    title="Epoch AI, GPU Clusters (formerly AI Supercomputers)",
    publisher="Epoch AI",
    url="https://epoch.ai/data/gpu-clusters",
    licence="CC BY 4.0",
    licence_url="https://creativecommons.org/licenses/by/4.0/",
    attribution=(
        "Konstantin Pilz, Robi Rahman, James Sanders, Lennart Heim, 'Trends in AI "
        "Supercomputers'. Published online at epoch.ai. Retrieved from: "
        "'https://epoch.ai/data/ai-supercomputers' [online resource]. CC BY 4.0."
    ),
)


def countries(value: object) -> list[str]:
    """The distinct countries of a comma-joined cell, the US under its short name."""
    out: list[str] = []
    for name in items(value, sep=","):
        name = _ALIASES.get(normalise(name), name)
        if name not in out:
            out.append(name)
    return out


def _per_country(cells: pd.Series) -> list[list[str]]:
    """Each row's distinct countries, spellings that differ only in case, spacing or
    punctuation grouped under the most common one."""
    lists = [countries(v) for v in cells]
    spelling = canonical_labels(c for names in lists for c in names)
    return [list(dict.fromkeys(spelling[n] for n in names)) for names in lists]


def _or_unknown(names: list[str], cell: object, odd: Counter[tuple[str, str, str]]) -> list[str]:
    if names:
        return names
    odd["country", text(cell), f"counted under '{UNKNOWN}'"] += 1
    return [UNKNOWN]


def _number(
    value: object, column: str, odd: Counter[tuple[str, str, str]], outcome: str
) -> float | None:
    try:
        return number(value)
    except ValueError:
        odd[column, text(value), outcome] += 1
        return None


def _largest(entries: list[tuple[str, float | None]]) -> tuple[float | None, str]:
    """The largest known value and its name (ties: the first name in sort order)."""
    known = [(v, n) for n, v in entries if v is not None]
    if not known:
        return None, ""
    best = max(v for v, _ in known)
    return best, min(n for v, n in known if v == best)


def _country_order(country: str) -> tuple[int, str]:
    return (country == UNKNOWN, country.casefold())


def aggregate_models(
    frame: pd.DataFrame,
) -> tuple[pd.DataFrame, Counter[tuple[str, str, str]], dict]:
    """Models per country and year, with the largest training compute. Returns the table, the
    values not read as they are, and facts for the notes (``newest``, ``no_compute``, ``used``)."""
    odd: Counter[tuple[str, str, str]] = Counter()
    groups: dict[tuple[str, int], list[tuple[str, float | None]]] = defaultdict(list)
    facts = {"newest": None, "no_compute": 0, "used": 0}
    per_row = _per_country(frame["country"])
    for model, when, cell, names, compute in zip(
        frame["model"], frame["date"], frame["country"], per_row, frame["compute"], strict=True
    ):
        parsed = date(when)
        if parsed is None:
            odd["date", text(when), "model not used: no readable date"] += 1
            continue
        names = _or_unknown(names, cell, odd)
        flop = _number(compute, "compute", odd, "left out of the maximum: not a number")
        if flop is None:
            facts["no_compute"] += 1
        facts["used"] += 1
        facts["newest"] = max(facts["newest"] or parsed[1], parsed[1])
        for country in names:
            groups[country, parsed[0]].append((text(model), flop))
    rows = []
    for (country, year), entries in sorted(
        groups.items(), key=lambda g: (_country_order(g[0][0]), g[0][1])
    ):
        best, name = _largest(entries)
        rows.append((country, year, len(entries), fmt_significant(best), name))
    out = pd.DataFrame(
        rows, columns=["country", "year", "models", "max_training_compute_flop", "top_model"]
    )
    return out, odd, facts


def aggregate_clusters(
    frame: pd.DataFrame,
) -> tuple[pd.DataFrame, Counter[tuple[str, str, str]], dict]:
    """Clusters per country and status, with H100-equivalents summed and the largest. Returns
    the table, the values not read as they are, and facts for the notes."""
    odd: Counter[tuple[str, str, str]] = Counter()
    groups: dict[tuple[str, str], list[tuple[str, float | None]]] = defaultdict(list)
    facts = {"no_h100e": 0, "multi_country": 0, "duplicates": 0}
    per_row = _per_country(frame["country"])
    duplicate = frame["duplicate"] if "duplicate" in frame else [""] * len(frame)
    for name, status, cell, names, h100e, dup in zip(
        frame["name"],
        frame["status"],
        frame["country"],
        per_row,
        frame["h100e"],
        duplicate,
        strict=True,
    ):
        names = _or_unknown(names, cell, odd)
        label = text(status)
        state = _STATUS.get(normalise(label))
        if state is None:
            state = label or UNKNOWN
            outcome = "kept as given: not Existing, Planned or Decommissioned"
            odd["status", label, outcome if label else f"counted under '{UNKNOWN}'"] += 1
        h = _number(h100e, "h100e", odd, "left out of the sums: not a number")
        facts["no_h100e"] += h is None
        facts["multi_country"] += len(names) > 1
        facts["duplicates"] += normalise(text(dup)) in {"true", "yes", "1"}
        for country in names:
            groups[country, state].append((text(name), h))

    def order(key: tuple[str, str]) -> tuple[object, ...]:
        country, state = key
        rank = STATUSES.index(state) if state in STATUSES else len(STATUSES) + (state == UNKNOWN)
        return (*_country_order(country), rank, state)

    rows = []
    for key in sorted(groups, key=order):
        entries = groups[key]
        known = [v for _, v in entries if v is not None]
        best, name = _largest(entries)
        total = math.fsum(known) if known else None
        rows.append((*key, len(entries), fmt_decimal(total), fmt_decimal(best), name))
    out = pd.DataFrame(
        rows, columns=["country", "status", "clusters", "h100e_total", "h100e_largest", "largest"]
    )
    return out, odd, facts


def load_models(sources: list[Path]) -> Table:
    """The ``epoch-models`` table from a notable-models or large-scale-models CSV."""
    (path,) = sources
    located = locate(path, read_sheets(path), MODEL_COLUMNS, WHAT_MODELS)
    out, odd, facts = aggregate_models(located.frame)
    if not facts["used"]:
        raise InputError(path, f"no model has a readable date ('{located.headers['date']}')")
    tally = Tally()
    tally.merge(located, odd)
    us = out[out["country"] == US]
    notes = [
        "A model counts once for each distinct country of its organisations; "
        f"'United States of America' is reported as '{US}'.",
        f"{facts['no_compute']:,} of {facts['used']:,} models have no training compute: they are "
        "counted in 'models' and left out of the maximum.",
    ]
    return Table(
        kind="epoch-models",
        columns=tuple(out.columns),
        rows=list(out.itertuples(index=False, name=None)),
        dataset=MODELS_DATASET,
        sources=[Source("models", located, facts["used"])],
        unmapped=tally,
        summary=(
            f"{facts['used']:,} models in {out['country'].nunique()} countries "
            f"({int(us['models'].sum()):,} with a US organisation)"
        ),
        data_through=facts["newest"],
        notes=notes,
    )


def load_clusters(sources: list[Path]) -> Table:
    """The ``epoch-clusters`` table from the GPU clusters CSV."""
    (path,) = sources
    located = locate(path, read_sheets(path), CLUSTER_COLUMNS, WHAT_CLUSTERS)
    out, odd, facts = aggregate_clusters(located.frame)
    tally = Tally()
    tally.merge(located, odd)
    notes = [
        f"{facts['no_h100e']:,} of {len(located.frame):,} clusters have no H100-equivalent figure: they are counted in "
        "'clusters' and left out of 'h100e_total' and 'h100e_largest'.",
        "Anonymised rows are distinct real records and are all counted. The publisher "
        "anonymises Chinese systems (names concealed, figures rounded to one significant figure).",
    ]
    if facts["duplicates"]:
        notes.append(
            f"{facts['duplicates']:,} rows are marked by the publisher as possible duplicates; "
            "they are kept and counted."
        )
    if facts["multi_country"]:
        notes.append(
            f"{facts['multi_country']:,} clusters name more than one country: each such cluster "
            "is counted, with its full H100-equivalents, under every country it names."
        )
    return Table(
        kind="epoch-clusters",
        columns=tuple(out.columns),
        rows=list(out.itertuples(index=False, name=None)),
        dataset=CLUSTERS_DATASET,
        sources=[Source("clusters", located, len(located.frame))],
        unmapped=tally,
        summary=f"{len(located.frame):,} clusters in {out['country'].nunique()} countries",
        notes=notes,
    )
