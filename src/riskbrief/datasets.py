"""The public datasets' tables in ``data/evidence/``, as ``riskbrief import`` writes them.

Each table comes with a provenance sidecar (``<table>.csv.source.json``: publisher, release,
licence, attribution, the source files' sha256). The loaders here validate a table and its
sidecar together, with the file, row and field named on error; the category mapping
(``category_mapping.yaml``, an analyst's mapping of the source article's categories to MIT
sub-domains) is validated the same way; and the references to the datasets are made from the
sidecars. The numbers the evidence section states are computed in :mod:`riskbrief.evidence`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from riskbrief.errors import InputError, Problems
from riskbrief.readers import (
    date_problem,
    integers,
    non_empty,
    numbers,
    read_table,
    read_text,
    read_yaml,
)
from riskbrief.references import Reference, from_source
from riskbrief.register import CATEGORIES, MIT_TAXONOMY, SUBDOMAINS

#: What ``riskbrief import`` names a table's provenance file: ``<table>.csv.source.json`` (as
#: ``riskbrief.importers.output`` and ``riskbrief.inputs`` do: a sidecar is an input too).
SIDECAR_SUFFIX = ".source.json"
UNCLASSIFIED = "unclassified"
#: The article's four categories: the mapping must give each of them sub-domains.
ARTICLE_CATEGORIES: tuple[str, ...] = CATEGORIES[:4]


# --- provenance sidecars -------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A table's provenance, from its sidecar."""

    kind: str
    table: Path
    title: str
    publisher: str
    url: str
    licence: str
    licence_url: str
    attribution: str
    release: dt.date | None
    data_through: dt.date | None
    notes: tuple[str, ...]
    #: records the importer used, by the role of the file it read (e.g. incidents: 1367)
    records: Mapping[str, int]
    #: the names of the files it was imported from
    files: tuple[str, ...] = ()


def sidecar_path(table: str | os.PathLike[str]) -> Path:
    return Path(str(table) + SIDECAR_SUFFIX)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_source(table: str | os.PathLike[str], kind: str) -> Source:
    """The provenance sidecar of ``table``: it must exist, be of ``kind``, name the publisher,
    title, address, licence and attribution, and match the table's bytes (its sha256)."""
    table = Path(table)
    path = sidecar_path(table)
    if not path.is_file():
        raise InputError(
            path,
            f"provenance sidecar not found: {table.name} must come with the {path.name} that "
            "`riskbrief import` writes beside it (run `make evidence`)",
        )
    try:
        doc = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: line {exc.lineno}, column {exc.colno}") from None
    problems = Problems(path)
    if not isinstance(doc, dict):
        raise InputError(path, "expected a JSON object with dataset, kind, output and sources")
    if doc.get("kind") != kind:
        problems.add(f"must be '{kind}', got {doc.get('kind')!r}", field="kind")
    ds = doc.get("dataset") if isinstance(doc.get("dataset"), dict) else {}
    if not ds:
        problems.add("missing: the publisher, title, licence and attribution", field="dataset")
    text = {}
    for key in ("title", "publisher", "url", "licence", "licence_url", "attribution"):
        value = ds.get(key)
        if ds and (not isinstance(value, str) or not value.strip()):
            problems.add("must be non-empty text", field=f"dataset.{key}")
        text[key] = value if isinstance(value, str) else ""
    when: dict[str, dt.date | None] = {}
    for key in ("release", "data_through"):
        value = ds.get(key)
        when[key] = None
        if value is None:
            continue
        problem = date_problem(value) if isinstance(value, str) else "must be a date or null"
        if problem:
            problems.add(problem, field=f"dataset.{key}")
        else:
            when[key] = dt.date.fromisoformat(value)
    recorded = (
        (doc.get("output") or {}).get("sha256") if isinstance(doc.get("output"), dict) else None
    )
    if table.is_file() and recorded != _sha256(table):
        problems.add(
            f"does not match {table.name} (the sha256 it records differs from the file's): the "
            "table was edited after it was imported, or the sidecar belongs to another import; "
            "re-import it with `make evidence`",
            field="output.sha256",
        )
    problems.raise_if_any()
    sources = [s for s in doc.get("sources") or [] if isinstance(s, dict)]
    records = {str(s.get("role")): int(s.get("rows_used", 0)) for s in sources}
    files = tuple(str(s["file"]) for s in sources if s.get("file"))
    return Source(
        kind=kind,
        table=table,
        release=when["release"],
        data_through=when["data_through"],
        notes=tuple(str(n) for n in doc.get("notes") or ()),
        records=records,
        files=files,
        **text,
    )


# --- the tables -------------------------------------------------------------------------------


def _ints(frame: pd.DataFrame, field: str, problems: Problems, lo: int, hi: int) -> pd.Series:
    return integers(frame, field, problems, lo, hi)


def _optional_numbers(frame: pd.DataFrame, field: str, problems: Problems) -> pd.Series:
    """Numbers at or above zero; an empty cell is a missing value (None)."""
    filled = frame[frame[field] != ""]
    values = numbers(filled, field, problems)
    for row, v in values.items():
        if v is not None and v < 0:
            problems.add(f"must be zero or more, got {frame.loc[row, field]}", row=row, field=field)
    return values.reindex(frame.index)


def _codes(frame: pd.DataFrame, problems: Problems, *, subdomain: bool) -> None:
    """Domain codes ``1``-``7`` (or more, in a later release), sub-domain codes ``n.m`` of
    their domain, or ``unclassified`` in both."""
    for row, domain in frame["domain"].items():
        if domain != UNCLASSIFIED and not re.fullmatch(r"[1-9]\d*", domain):
            problems.add(
                f"must be an MIT domain code such as 4, or '{UNCLASSIFIED}'; got '{domain}'",
                row=row,
                field="domain",
            )
        if not subdomain:
            continue
        sub = frame.loc[row, "subdomain"]
        if domain == UNCLASSIFIED:
            ok = sub == UNCLASSIFIED
        else:
            ok = re.fullmatch(r"[1-9]\d*\.\d+", sub) is not None and sub.split(".")[0] == domain
        if not ok:
            want = f"'{UNCLASSIFIED}'" if domain == UNCLASSIFIED else f"a code {domain}.n"
            problems.add(
                f"must be {want} (domain {domain}); got '{sub}'", row=row, field="subdomain"
            )


def _unique(frame: pd.DataFrame, keys: Sequence[str], problems: Problems) -> None:
    first: dict[tuple[str, ...], int] = {}
    for row, values in zip(frame.index, frame[list(keys)].itertuples(index=False), strict=True):
        k = tuple(values)
        if k in first:
            problems.add(f"the same {', '.join(keys)} as row {first[k]}", row=row, field=keys[0])
        first.setdefault(k, row)


def _finish(
    frame: pd.DataFrame, path: Path, problems: Problems, kind: str, **cols: pd.Series
) -> pd.DataFrame:
    """Raise the problems found, check the sidecar, and return the typed frame: integer
    columns as int, the optional numbers as float (NaN where empty)."""
    problems.raise_if_any()
    load_source(path, kind)
    typed = {
        k: v.astype(float) if k.startswith(("h100e", "max_")) else v.astype(int)
        for k, v in cols.items()
    }
    out = frame.assign(**typed).reset_index(drop=True)
    out.attrs["path"] = str(path)
    return out


def load_mit_risk(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``mit-risk.csv`` (domain, subdomain, risks): risks in the MIT AI Risk Repository per
    sub-domain, with its sidecar."""
    path = Path(path)
    frame = read_table(path, ("domain", "subdomain", "risks"))
    problems = Problems(path)
    _codes(frame, problems, subdomain=True)
    risks = _ints(frame, "risks", problems, 0, 10**7)
    _unique(frame, ("subdomain",), problems)
    return _finish(frame, path, problems, "mit-risk", risks=risks)


def load_aiid(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``aiid.csv`` (year, domain, incidents): AI Incident Database incidents per year and MIT
    domain, with its sidecar."""
    path = Path(path)
    frame = read_table(path, ("year", "domain", "incidents"))
    problems = Problems(path)
    years = _ints(frame, "year", problems, 1900, 2100)
    _codes(frame, problems, subdomain=False)
    counts = _ints(frame, "incidents", problems, 0, 10**7)
    _unique(frame, ("year", "domain"), problems)
    return _finish(frame, path, problems, "aiid", year=years, incidents=counts)


def load_aiid_subdomains(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``aiid-subdomains.csv`` (year, domain, subdomain, incidents), with its sidecar."""
    path = Path(path)
    frame = read_table(path, ("year", "domain", "subdomain", "incidents"))
    problems = Problems(path)
    years = _ints(frame, "year", problems, 1900, 2100)
    _codes(frame, problems, subdomain=True)
    counts = _ints(frame, "incidents", problems, 0, 10**7)
    _unique(frame, ("year", "subdomain"), problems)
    return _finish(frame, path, problems, "aiid-subdomains", year=years, incidents=counts)


def load_epoch_models(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``epoch-models.csv`` (country, year, models, max_training_compute_flop, top_model), with
    its sidecar. Compute is empty where no model of that country and year has a figure; the
    top model is named exactly where there is one."""
    path = Path(path)
    cols = ("country", "year", "models", "max_training_compute_flop", "top_model")
    frame = read_table(path, cols)
    problems = Problems(path)
    non_empty(frame, "country", problems)
    years = _ints(frame, "year", problems, 1900, 2100)
    models = _ints(frame, "models", problems, 1, 10**6)
    compute = _optional_numbers(frame, "max_training_compute_flop", problems)
    for row in frame.index:
        has_compute = frame.loc[row, "max_training_compute_flop"] != ""
        if has_compute != (frame.loc[row, "top_model"] != ""):
            problems.add(
                "must name the model exactly when max_training_compute_flop is given",
                row=row,
                field="top_model",
            )
    _unique(frame, ("country", "year"), problems)
    return _finish(
        frame,
        path,
        problems,
        "epoch-models",
        year=years,
        models=models,
        max_training_compute_flop=compute,
    )


def load_epoch_clusters(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``epoch-clusters.csv`` (country, status, clusters, h100e_total, h100e_largest, largest),
    with its sidecar. Capacity is empty where no cluster of that row has an H100-equivalent."""
    path = Path(path)
    cols = ("country", "status", "clusters", "h100e_total", "h100e_largest", "largest")
    frame = read_table(path, cols)
    problems = Problems(path)
    non_empty(frame, "country", problems)
    non_empty(frame, "status", problems)
    clusters = _ints(frame, "clusters", problems, 0, 10**6)
    total = _optional_numbers(frame, "h100e_total", problems)
    largest = _optional_numbers(frame, "h100e_largest", problems)
    _unique(frame, ("country", "status"), problems)
    return _finish(
        frame,
        path,
        problems,
        "epoch-clusters",
        clusters=clusters,
        h100e_total=total,
        h100e_largest=largest,
    )


# --- the category mapping ---------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    name: str
    subdomains: tuple[str, ...]
    rationale: str
    #: what the incident record can and cannot show for this category (optional)
    observability: str = ""


@dataclass(frozen=True)
class CategoryMapping:
    basis: str
    categories: tuple[Category, ...]
    path: str = ""

    def subdomains(self) -> dict[str, str]:
        """Sub-domain code -> the category it is mapped to."""
        return {s: c.name for c in self.categories for s in c.subdomains}


_MAPPING_KEYS = ("basis", "categories")
_CATEGORY_KEYS = ("subdomains", "rationale", "observability")


def load_category_mapping(path: str | os.PathLike[str]) -> CategoryMapping:
    """``category_mapping.yaml``: for each of the article's categories (and, optionally, the
    race itself) the MIT sub-domains it maps to and why. Every article category must be
    mapped; a sub-domain belongs to one category at most. Errors name the file and field."""
    path = Path(path)
    doc = read_yaml(path)
    problems = Problems(path)
    if not isinstance(doc, dict):
        raise InputError(path, f"expected a mapping with {' and '.join(_MAPPING_KEYS)}")
    for key in doc:
        if key not in _MAPPING_KEYS:
            problems.add(f"unknown key (allowed: {', '.join(_MAPPING_KEYS)})", field=str(key))
    basis = doc.get("basis")
    if not isinstance(basis, str) or not basis.strip():
        problems.add("must say whose mapping this is and on what basis", field="basis")
    raw = doc.get("categories")
    if not isinstance(raw, dict) or not raw:
        problems.add("must map each category to its sub-domains and rationale", field="categories")
        raw = {}
    out: list[Category] = []
    owner: dict[str, str] = {}
    for name, entry in raw.items():
        where = f"categories.{name}"
        if name not in CATEGORIES:
            problems.add(f"not a register category (one of {', '.join(CATEGORIES)})", field=where)
            continue
        if not isinstance(entry, dict):
            problems.add(f"must hold {', '.join(_CATEGORY_KEYS)}", field=where)
            continue
        for key in entry:
            if key not in _CATEGORY_KEYS:
                problems.add(
                    f"unknown key (allowed: {', '.join(_CATEGORY_KEYS)})", field=f"{where}.{key}"
                )
        subs = entry.get("subdomains")
        if not isinstance(subs, list) or not subs:
            problems.add("must list one or more MIT sub-domain codes", field=f"{where}.subdomains")
            subs = []
        codes: list[str] = []
        for i, code in enumerate(subs):
            code = str(code).strip()
            field = f"{where}.subdomains.{i}"
            if code not in SUBDOMAINS:
                hint = (
                    f"'{code}' is a domain: list its sub-domains"
                    if code in MIT_TAXONOMY
                    else f"'{code}' is not an MIT sub-domain code (1.1 to 7.6)"
                )
                problems.add(hint, field=field)
            elif code in codes:
                problems.add(f"'{code}' is listed twice", field=field)
            elif code in owner:
                problems.add(f"'{code}' is already mapped to {owner[code]}", field=field)
            else:
                owner[code] = name
                codes.append(code)
        texts = {}
        for key in ("rationale", "observability"):
            value = entry.get(key, "")
            if not isinstance(value, str) or (key == "rationale" and not value.strip()):
                problems.add("must be non-empty text", field=f"{where}.{key}")
                value = ""
            texts[key] = " ".join(value.split())
        out.append(Category(name, tuple(codes), **texts))
    for name in ARTICLE_CATEGORIES:
        if name not in raw:
            problems.add(f"the article's category '{name}' is not mapped", field="categories")
    problems.raise_if_any(sort=False)
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return CategoryMapping(
        " ".join(basis.split()), tuple(sorted(out, key=lambda c: order[c.name])), str(path)
    )


# --- references made from the sidecars ---------------------------------------------------------

#: The section's tables by data key: the kind ``riskbrief import`` gives them and the key of the
#: reference to the dataset they come from. The MIT AI Risk Repository is a registered
#: reference (``riskbrief.references.REGISTRY``); the others are made from the sidecars.
TABLES: dict[str, tuple[str, str]] = {
    "mit_risk": ("mit-risk", "mit-risk-repository"),
    "aiid": ("aiid", "aiid"),
    "aiid_subdomains": ("aiid-subdomains", "aiid"),
    "epoch_models": ("epoch-models", "epoch-models"),
    "epoch_clusters": ("epoch-clusters", "epoch-clusters"),
}
REGISTERED = frozenset({"mit-risk-repository"})


def dataset_references(paths: Mapping[str, str | os.PathLike[str]]) -> list[Reference]:
    """One reference per dataset the tables at ``paths`` (by data key) come from, made from
    the first table's sidecar; tables without a readable sidecar are left out (the build's
    check reports them)."""
    out: dict[str, Reference] = {}
    for key, path in paths.items():
        kind, ref = TABLES[key]
        if ref in REGISTERED or ref in out:
            continue
        try:
            out[ref] = from_source(ref, load_source(path, kind))
        except InputError:
            continue
    return list(out.values())
