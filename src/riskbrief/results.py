"""The results JSON each section notebook writes next to its executed notebook.

It carries the section's headline numbers (what key judgments and "what changed" need) and
its key-judgment sentences. Written with sorted keys so identical inputs give identical bytes.

Shape::

    {
      "section": "risk_summary",
      "schema": 1,
      "headline": {...},                 # numbers, by name
      "key_judgments": [                 # generated sentences, in order of importance
        {"text": "...", "anchor": "risk-summary", "value": 0.7, "interval": [0.5, 0.9]}
      ],
      ...                                # anything else the section wants to keep
    }
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

SCHEMA = 1


def _clean(obj: Any) -> Any:
    """numpy scalars and arrays to plain Python; NaN is not allowed in results."""
    if hasattr(obj, "tolist"):
        obj = obj.tolist()
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        raise ValueError(f"results must be finite numbers, got {obj!r}")
    return obj


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(_clean(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_results(
    path: str | os.PathLike[str],
    section: str,
    headline: dict[str, Any],
    key_judgments: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Path:
    """Write a section's results JSON atomically and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "section": section,
        "schema": SCHEMA,
        "headline": headline,
        "key_judgments": key_judgments or [],
        **extra,
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps(data), encoding="utf-8")
    tmp.replace(path)
    return path


def read_results(path: str | os.PathLike[str]) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))
