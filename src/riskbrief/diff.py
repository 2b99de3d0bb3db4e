"""What changed between two editions of a briefing: the one change comparator.

An *edition* is what a published version holds (its manifest, the snapshot of its inputs and
its results JSON) or what a build is about to publish. :func:`compare` lists, in a form a
reader can act on:

- inputs whose content changed (params fields by name; data rows added, removed or edited,
  by id; notebooks and package files by name);
- for every section, the numbers its spec names as comparable (``Section.comparables`` in
  :mod:`riskbrief.sections`): risks whose band moved, new and retired risks, scenario
  headline numbers, context figures…, each old → new.

The briefing's "What changed since vN" section and ``riskbrief diff`` print the same lines;
both show changes only (``riskbrief diff --all`` lists unchanged numbers too).
"""

from __future__ import annotations

import csv
import io
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from riskbrief import inputs, sections
from riskbrief.errors import RiskbriefError
from riskbrief.narrative import md_escape, pct
from riskbrief.provenance import Manifest
from riskbrief.sections import Comparable


@dataclass
class Edition:
    version: int | None
    parameters: dict[str, Any]
    #: input name (as in the manifest) → its used digest (``Manifest.used_hashes``)
    inputs: dict[str, str]
    #: input name → a readable copy (missing for inputs that were not snapshotted)
    input_files: dict[str, Path] = field(default_factory=dict)
    #: section → its results JSON
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: input name → sha256 of its bytes (``Manifest.input_hashes``), where known
    exact: dict[str, str] = field(default_factory=dict)

    def _used_recorded(self, name: str) -> bool:
        return name in self.exact and self.exact[name] != self.inputs[name]

    def same_input(self, other: Edition, name: str) -> bool:
        """Whether an input both editions have is unchanged: by what each used of it, or by
        its bytes when only one of them recorded what it used (a version published before
        used digests were recorded)."""
        if self.exact and other.exact and self._used_recorded(name) != other._used_recorded(name):
            return self.exact.get(name) == other.exact.get(name)
        return self.inputs[name] == other.inputs[name]

    @classmethod
    def from_version_dir(cls, vdir: Path) -> Edition:
        import json

        m = Manifest.read(vdir)
        hashes = m.used_hashes()
        copies = {name: vdir / inputs.snapshot_name(name) for name in hashes}
        files = {name: copy for name, copy in copies.items() if copy.is_file()}
        results = {
            p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((vdir / "results").glob("*.json"))
        }
        return cls(m.version, m.parameters, hashes, files, results, m.input_hashes())


# --- inputs, params and data rows ------------------------------------------------------------


def _flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(d, dict):
        out: dict[str, Any] = {}
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: d}


def params_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    a, b = _flatten(old), _flatten(new)
    return [
        {"field": k, "old": a.get(k), "new": b.get(k)}
        for k in sorted(set(a) | set(b))
        if a.get(k) != b.get(k)
    ]


def _records(path: Path) -> dict[str, dict[str, Any]] | None:
    """Rows by id: a CSV file's ``id`` column (or its first column, when its values are
    unique), or the entries of a YAML list or mapping of mappings. None if there is no id."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix in {".yaml", ".yml"}:
        return _entries(yaml.safe_load(text) or {})
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows:
            return None
        key = "id" if "id" in rows[0] else next(iter(rows[0]))
        ids = [r[key] for r in rows]
        if len(set(ids)) != len(ids):
            return None
        return {r[key]: r for r in rows}
    return None


def _entries(data: Any) -> dict[str, dict[str, Any]] | None:
    """Entries by id of parsed YAML (or of what a data file's spec says a briefing uses)."""
    if isinstance(data, dict) and isinstance(data.get("scenarios"), dict | list):
        data = data["scenarios"]
    if isinstance(data, list):
        data = {str(e.get("id")): e for e in data if isinstance(e, dict)}
    if isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()):
        return {str(k): _flatten(v) for k, v in data.items()}
    return None


def _used_records(edition: Edition, name: str, path: Path) -> dict[str, dict[str, Any]] | None:
    """Rows by id of what the edition used of a data file: for a file whose spec says what a
    briefing uses (the scenarios shown), only that; otherwise every row."""
    data = edition.parameters.get("data") or {}
    for spec in {d for s in sections.REGISTRY.values() for d in s.data if d.used}:
        written = data.get(spec.key)
        if written and posixpath.normpath(str(written)) == posixpath.normpath(name):
            try:
                return _entries(spec.used_content(path, edition.parameters))
            except (RiskbriefError, OSError, ValueError):
                return None
    return _records(path)


def data_changes(old: Edition, new: Edition) -> list[dict[str, Any]]:
    """Rows added, removed or edited, by id, for every data file whose content changed."""
    out = []
    for name in sorted(set(old.inputs) & set(new.inputs)):
        if old.same_input(new, name) or not name.startswith("data/"):
            continue
        a_path, b_path = old.input_files.get(name), new.input_files.get(name)
        a = _used_records(old, name, a_path) if a_path else None
        b = _used_records(new, name, b_path) if b_path else None
        if a is None or b is None:
            out.append(
                {"file": name, "added": [], "removed": [], "edited": [], "rows_unknown": True}
            )
            continue
        edited = []
        for rid in sorted(set(a) & set(b)):
            fields = [
                {"field": k, "old": a[rid].get(k), "new": b[rid].get(k)}
                for k in sorted(set(a[rid]) | set(b[rid]))
                if a[rid].get(k) != b[rid].get(k)
            ]
            if fields:
                edited.append({"id": rid, "fields": fields})
        out.append(
            {
                "file": name,
                "added": sorted(set(b) - set(a)),
                "removed": sorted(set(a) - set(b)),
                "edited": edited,
                "rows_unknown": False,
            }
        )
    return out


# --- the numbers each section's spec names -----------------------------------------------------


def _matches(results: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(key, holder, value) for each value a dotted ``path`` with ``*`` names: the key matched
    by the last ``*`` (or the last part), the mapping that holds the value, and the value."""

    def walk(node: Any, parts: list[str], key: str):
        if not isinstance(node, dict):
            return
        head, rest = parts[0], parts[1:]
        items = list(node.items()) if head == "*" else [(head, node[head])] if head in node else []
        for k, v in items:
            here = k if head == "*" else key
            if rest:
                yield from walk(v, rest, here)
            else:
                yield here or k, node, v

    yield from walk(results or {}, path.split("."), "")


def _label(c: Comparable, key: str, holder: dict[str, Any], path_key: str) -> str:
    name = path_key.rsplit(".", 1)[-1].replace("_", " ")
    fields = {k: v for k, v in holder.items() if not isinstance(v, dict | list)}
    try:
        return c.label.format(key=key, name=name, **fields)
    except (KeyError, IndexError):
        return c.label.replace("{key}", key).replace("{name}", name)


def _moved(c: Comparable, old: Any, new: Any) -> bool:
    if isinstance(old, int | float) and isinstance(new, int | float):
        return abs(new - old) > c.min_change or (c.min_change == 0 and old != new)
    return old != new


def comparable_changes(
    c: Comparable, old: dict[str, Any], new: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every entry ``c`` names in either edition's results: label, old, new and whether it
    ``changed`` (beyond ``min_change``), is ``new``, ``retired`` or ``unchanged``."""
    if c.field is not None:
        a = dict(next((v for _, _, v in _matches(old, c.path.removesuffix(".*"))), {}) or {})
        b = dict(next((v for _, _, v in _matches(new, c.path.removesuffix(".*"))), {}) or {})
        rows = []
        for rid in [*b, *(k for k in a if k not in b)]:
            rec_a, rec_b = a.get(rid), b.get(rid)
            holder = rec_b or rec_a or {}
            old_v = None if rec_a is None else rec_a.get(c.field)
            new_v = None if rec_b is None else rec_b.get(c.field)
            status = (
                "new"
                if rec_a is None
                else "retired"
                if rec_b is None
                else "changed"
                if _moved(c, old_v, new_v)
                else "unchanged"
            )
            rows.append(_row(c, _label(c, rid, holder, c.field), old_v, new_v, status))
        return rows
    a = {k: (h, v) for k, h, v in _matches(old, c.path)}
    b = {k: (h, v) for k, h, v in _matches(new, c.path)}
    rows = []
    for k in [*b, *(k for k in a if k not in b)]:
        holder = (b.get(k) or a.get(k))[0]
        old_v = a[k][1] if k in a else None
        new_v = b[k][1] if k in b else None
        if k not in a:
            status = "new"
        elif k not in b:
            status = "retired"
        else:
            status = "changed" if _moved(c, old_v, new_v) else "unchanged"
        path_key = c.path.replace("*", k) if "*" in c.path else c.path
        rows.append(_row(c, _label(c, k, holder, path_key), old_v, new_v, status))
    return rows


def _row(c: Comparable, label: str, old: Any, new: Any, status: str) -> dict[str, Any]:
    return {"label": label, "old": old, "new": new, "format": c.format, "status": status}


def results_changes(old: Edition, new: Edition) -> list[dict[str, Any]]:
    """Per section of the new edition (in its order) and group, the comparables' rows."""
    order = list(new.parameters.get("sections") or new.results)
    order += [s for s in new.results if s not in order]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for name in order:
        for c in sections.get(name).comparables:
            rows = comparable_changes(c, old.results.get(name, {}), new.results.get(name, {}))
            groups.setdefault((name, c.group), []).extend(rows)
    return [
        {"section": name, "group": group, "rows": rows} for (name, group), rows in groups.items()
    ]


def compare(old: Edition, new: Edition) -> dict[str, Any]:
    changed = sorted(n for n in set(old.inputs) & set(new.inputs) if not old.same_input(new, n))
    package = [n for n in changed if n.startswith("riskbrief/")]
    return {
        "old_version": old.version,
        "new_version": new.version,
        "inputs": {
            "changed": [n for n in changed if not n.startswith("riskbrief/")],
            "added": sorted(
                n for n in set(new.inputs) - set(old.inputs) if not n.startswith("riskbrief/")
            ),
            "removed": sorted(
                n for n in set(old.inputs) - set(new.inputs) if not n.startswith("riskbrief/")
            ),
            "package_files_changed": len(package)
            + len([n for n in set(new.inputs) ^ set(old.inputs) if n.startswith("riskbrief/")]),
        },
        "params": params_changes(old.parameters, new.parameters),
        "data": data_changes(old, new),
        "results": results_changes(old, new),
    }


# ---------------------------------------------------------------------------------------------
# presentation: the same lines for the briefing (Markdown) and the terminal (text)


def _fmt(value: Any, kind: str = "") -> str:
    if value is None:
        return "—"
    if kind == "pct" and isinstance(value, int | float):
        return pct(value, 1)
    if kind == "ratio" and isinstance(value, int | float):
        return f"{value:.1f}×"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def _row_text(r: dict[str, Any]) -> str:
    kind = r["format"]
    if r["status"] == "new":
        return f"{r['label']}: new, {_fmt(r['new'], kind)}"
    if r["status"] == "retired":
        return f"{r['label']}: retired (was {_fmt(r['old'], kind)})"
    text = f"{r['label']}: {_fmt(r['old'], kind)} → {_fmt(r['new'], kind)}"
    return text + (" (unchanged)" if r["status"] == "unchanged" else "")


def lines(changes: dict[str, Any], *, show_all: bool = False) -> list[tuple[str, list[str]]]:
    """The comparison as (heading, bullet lines); text is plain and escaped by the caller.
    Unchanged numbers are left out unless ``show_all``."""
    blocks: list[tuple[str, list[str]]] = []
    inp = changes["inputs"]
    items = [f"{n}: content changed" for n in inp["changed"]]
    items += [f"{n}: new input" for n in inp["added"]] + [
        f"{n}: no longer used" for n in inp["removed"]
    ]
    if inp["package_files_changed"]:
        items.append(f"riskbrief package: {inp['package_files_changed']} source file(s) changed")
    blocks.append(("Inputs", items or ["No input changed."]))
    if changes["params"]:
        blocks.append(
            (
                "Parameters",
                [f"{p['field']}: {_fmt(p['old'])} → {_fmt(p['new'])}" for p in changes["params"]],
            )
        )
    for d in changes["data"]:
        if d["rows_unknown"]:
            rows = ["content changed (rows could not be compared by id)"]
        else:
            rows = [f"row {rid} added" for rid in d["added"]] + [
                f"row {rid} removed" for rid in d["removed"]
            ]
            for e in d["edited"]:
                fields = "; ".join(
                    f"{f['field']} {_fmt(f['old'])} → {_fmt(f['new'])}" for f in e["fields"]
                )
                rows.append(f"row {e['id']} edited: {fields}")
        blocks.append((f"Data: {d['file']}", rows or ["no row added, removed or edited"]))
    moved_any = False
    for g in changes["results"]:
        rows = [r for r in g["rows"] if show_all or r["status"] != "unchanged"]
        if rows:
            moved_any = True
            blocks.append((g["group"], [_row_text(r) for r in rows]))
    if not moved_any and changes["results"]:
        blocks.append(("Results", ["No headline number, band or verdict changed."]))
    return blocks


FIRST_EDITION = ""


def to_markdown(changes: dict[str, Any] | None, *, anchor: str = "what-changed") -> str:
    """The briefing's "What changed" section; for a first edition nothing: the cover says
    "first edition", once."""
    if changes is None:
        return FIRST_EDITION
    parts = [
        f"## What changed since v{changes['old_version']} {{#{anchor}}}",
        "",
        f"Version {changes['new_version']} supersedes version {changes['old_version']}. "
        "Inputs are compared by what this briefing uses of them; data rows by their id.",
        "",
    ]
    for heading, items in lines(changes):
        parts += [f"**{md_escape(heading)}**", ""] + [f"- {md_escape(i)}" for i in items] + [""]
    return "\n".join(parts).rstrip() + "\n"


def to_text(changes: dict[str, Any], name: str, *, show_all: bool = False) -> str:
    """The same comparison for the terminal (``riskbrief diff``)."""
    out = [f"{name}: what changed from v{changes['old_version']} to v{changes['new_version']}", ""]
    for heading, items in lines(changes, show_all=show_all):
        out.append(heading)
        out += [f"  - {i}" for i in items]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
