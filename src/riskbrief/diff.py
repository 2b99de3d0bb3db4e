"""What changed between two editions of a briefing.

An *edition* is what a published version holds (its manifest, the snapshot of its inputs and
its results JSON) or what a build is about to publish. ``compare`` lists, in a form a reader
can act on:

- inputs whose content changed (params fields by name; data rows added, removed or edited,
  by id; notebooks and package files by name);
- risks whose band moved, new risks and retired risks;
- every scenario's headline number, old → new, and the other headline numbers that moved.

The briefing's "What changed since vN" section and ``riskbrief diff`` print the same thing.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from riskbrief import inputs
from riskbrief.narrative import md_escape, pct


@dataclass
class Edition:
    version: int | None
    parameters: dict[str, Any]
    #: input name (as in the manifest) → sha256
    inputs: dict[str, str]
    #: input name → a readable copy (missing for inputs that were not snapshotted)
    input_files: dict[str, Path] = field(default_factory=dict)
    #: section → its results JSON
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_version_dir(cls, vdir: Path) -> Edition:
        manifest = json.loads((vdir / "manifest.json").read_text(encoding="utf-8"))
        hashes = {i["path"]: i["sha256"] for i in manifest["inputs"]}
        copies = {name: vdir / inputs.snapshot_name(name) for name in hashes}
        files = {name: copy for name, copy in copies.items() if copy.is_file()}
        results = {
            p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((vdir / "results").glob("*.json"))
        }
        return cls(manifest["version"], manifest.get("parameters", {}), hashes, files, results)


# ---------------------------------------------------------------------------------------------
# comparisons


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
    """Rows (CSV with an ``id`` column) or entries (YAML mapping of mappings) by id."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows or "id" not in rows[0]:
            return None
        return {r["id"]: r for r in rows}
    if path.suffix in {".yaml", ".yml"}:
        data = yaml.safe_load(text) or {}
        if isinstance(data, dict) and isinstance(data.get("scenarios"), dict | list):
            data = data["scenarios"]
        if isinstance(data, list):
            data = {str(e.get("id")): e for e in data if isinstance(e, dict)}
        if isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()):
            return {str(k): _flatten(v) for k, v in data.items()}
    return None


def data_changes(old: Edition, new: Edition) -> list[dict[str, Any]]:
    """Rows added, removed or edited, by id, for every data file whose content changed."""
    out = []
    for name in sorted(set(old.inputs) & set(new.inputs)):
        if old.inputs[name] == new.inputs[name] or not name.startswith("data/"):
            continue
        a_path, b_path = old.input_files.get(name), new.input_files.get(name)
        a = _records(a_path) if a_path else None
        b = _records(b_path) if b_path else None
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


def risk_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    a = old.get("risks", {}) if old else {}
    b = new.get("risks", {}) if new else {}
    moved = [
        {
            "id": rid,
            "title": b[rid].get("title", ""),
            "old": a[rid].get("band"),
            "new": b[rid].get("band"),
        }
        for rid in sorted(set(a) & set(b))
        if a[rid].get("band") != b[rid].get("band")
    ]
    new_risks = [
        {"id": rid, "title": b[rid].get("title", ""), "band": b[rid].get("band")}
        for rid in sorted(set(b) - set(a))
    ]
    retired = [
        {"id": rid, "title": a[rid].get("title", ""), "band": a[rid].get("band")}
        for rid in sorted(set(a) - set(b))
    ]
    return {"bands": moved, "new": new_risks, "retired": retired}


_SCENARIO_NUMBERS = (
    ("disaster_median", "P(unsafe first AI), median"),
    ("disaster_p10", "10th percentile"),
    ("disaster_p90", "90th percentile"),
)


def scenario_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Every scenario's headline numbers, old → new (unchanged ones included: readers look for them)."""
    a = (old or {}).get("headline", {}).get("scenarios", {})
    b = (new or {}).get("headline", {}).get("scenarios", {})
    rows = []
    for sid in sorted(set(a) | set(b)):
        for key, label in _SCENARIO_NUMBERS:
            rows.append(
                {
                    "scenario": sid,
                    "title": (b.get(sid) or a.get(sid) or {}).get("title", sid),
                    "measure": label,
                    "old": (a.get(sid) or {}).get(key),
                    "new": (b.get(sid) or {}).get(key),
                    "format": "pct",
                }
            )
    ca = (old or {}).get("headline", {}).get("comparison") or {}
    cb = (new or {}).get("headline", {}).get("comparison") or {}
    if ca or cb:
        numerator = cb.get("numerator") or ca.get("numerator")
        denominator = cb.get("denominator") or ca.get("denominator")
        label = f"risk ratio {numerator} ÷ {denominator}"
        rows.append(
            {
                "scenario": "comparison",
                "title": "Comparison",
                "measure": label + ", median",
                "old": ca.get("ratio_median"),
                "new": cb.get("ratio_median"),
                "format": "ratio",
            }
        )
    return rows


_SKIP_HEADLINE = {"seed", "draws", "compared_with_previous", "scenarios", "comparison"}


def headline_changes(old: Edition, new: Edition) -> list[dict[str, Any]]:
    """Other headline numbers that moved, by section (scenario numbers are listed separately)."""
    out = []
    for section in sorted(set(old.results) & set(new.results)):
        a = {
            k: v
            for k, v in _flatten(old.results[section].get("headline", {})).items()
            if k.split(".")[0] not in _SKIP_HEADLINE
        }
        b = {
            k: v
            for k, v in _flatten(new.results[section].get("headline", {})).items()
            if k.split(".")[0] not in _SKIP_HEADLINE
        }
        for k in sorted(set(a) | set(b)):
            if (
                a.get(k) != b.get(k)
                and not k.startswith("n_band_changes")
                and not k.startswith("n_new")
                and not k.startswith("n_retired")
            ):
                out.append({"section": section, "name": k, "old": a.get(k), "new": b.get(k)})
    return out


def compare(old: Edition, new: Edition) -> dict[str, Any]:
    changed = sorted(n for n in set(old.inputs) & set(new.inputs) if old.inputs[n] != new.inputs[n])
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
        "risks": risk_changes(
            old.results.get("risk_summary", {}), new.results.get("risk_summary", {})
        ),
        "scenarios": scenario_changes(
            old.results.get("scenarios", {}), new.results.get("scenarios", {})
        ),
        "headlines": headline_changes(old, new),
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


def _arrow(old: Any, new: Any, kind: str = "") -> str:
    return f"{_fmt(old, kind)} → {_fmt(new, kind)}" + ("" if old != new else " (unchanged)")


_LABELS = {
    "risk_summary": "Risk summary",
    "context": "Context",
    "n_risks": "risks in the register",
    "n_critical": "risks rated Critical",
    "n_high": "risks rated High",
    "n_moderate": "risks rated Moderate",
    "n_low": "risks rated Low",
    "n_categories": "risk categories",
    "critical_categories": "categories rated Critical",
    "n_categories_agreeing_with_article": "categories agreeing with the article's urgency",
    "n_categories_rated_by_article": "categories the article rates",
    "top_risk_id": "most serious risk",
    "top_risk_title": "most serious risk (title)",
    "top_risk_band": "most serious risk's band",
    "top_risk_median": "most serious risk's median score",
    "top_risk_p10": "most serious risk's 10th percentile",
    "top_risk_p90": "most serious risk's 90th percentile",
    "top_risk_p_critical": "most serious risk's P(Critical)",
    "focus": "focus scenario",
    "focus_top_driver": "main driver of risk in the focus scenario",
    "focus_top_swing": "swing of that driver",
}


def _label(key: str) -> str:
    return _LABELS.get(key) or key.replace("_", " ")


def lines(changes: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The comparison as (heading, bullet lines); text is plain and escaped by the caller."""
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
                [f"{p['field']}: {_arrow(p['old'], p['new'])}" for p in changes["params"]],
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
    r = changes["risks"]
    risk_lines = [f"{m['id']} {m['title']}: {m['old']} → {m['new']}" for m in r["bands"]]
    risk_lines += [f"{m['id']} {m['title']}: new risk, rated {m['band']}" for m in r["new"]]
    risk_lines += [f"{m['id']} {m['title']}: retired (was {m['band']})" for m in r["retired"]]
    blocks.append(
        ("Risk bands", risk_lines or ["No risk changed band; no risk was added or retired."])
    )
    if changes["scenarios"]:
        blocks.append(
            (
                "Scenario headline numbers",
                [
                    f"{s['title']} — {s['measure']}: {_arrow(s['old'], s['new'], s['format'])}"
                    for s in changes["scenarios"]
                ],
            )
        )
    if changes["headlines"]:
        blocks.append(
            (
                "Other headline numbers",
                [
                    f"{_label(h['section'])}: {_label(h['name'])}: {_arrow(h['old'], h['new'])}"
                    for h in changes["headlines"]
                ],
            )
        )
    return blocks


def to_markdown(changes: dict[str, Any] | None, *, anchor: str = "what-changed") -> str:
    """The briefing's "What changed" section."""
    if changes is None:
        return (
            f"## What changed {{#{anchor}}}\n\n"
            "This is the first edition of this briefing; there is no earlier version to compare with."
        )
    parts = [
        f"## What changed since v{changes['old_version']} {{#{anchor}}}",
        "",
        f"Version {changes['new_version']} supersedes version {changes['old_version']}. "
        "Inputs are compared by their sha256; data rows by their id.",
        "",
    ]
    for heading, items in lines(changes):
        parts += [f"**{md_escape(heading)}**", ""] + [f"- {md_escape(i)}" for i in items] + [""]
    return "\n".join(parts).rstrip() + "\n"


def to_text(changes: dict[str, Any], name: str) -> str:
    """The same comparison for the terminal (``riskbrief diff``)."""
    out = [f"{name}: what changed from v{changes['old_version']} to v{changes['new_version']}", ""]
    for heading, items in lines(changes):
        out.append(heading)
        out += [f"  - {i}" for i in items]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
