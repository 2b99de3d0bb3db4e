"""The scenarios section's reader tables: results per scenario (every verdict with the share
of draws behind it), the model parameters, the tornado's numbers and the risk under each
information regime. Numbers are printed as :mod:`riskbrief.narrative.scenarios` prints them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from riskbrief.models import MODELS
from riskbrief.narrative import pct
from riskbrief.narrative.scenarios import EN_DASH, iv_of, of_draws, p_of, share_of, swing_points
from riskbrief.sampling import ZONES
from riskbrief.scenarios import Scenario


def regime_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Each scenario's risk under every information regime (same draws): what changes if
    capabilities are disclosed, kept private or unknown."""
    rows = []
    for r in summary.to_dict("records"):
        rows.append(
            {
                "Scenario": r["title"],
                "Assumed regime": r["information"],
                **{
                    f"{reg.capitalize()} (median)": pct(r[f"median_{reg}"])
                    for reg in ("none", "private", "public")
                },
            }
        )
    return pd.DataFrame(rows)


def _zones_cell(row: Mapping[str, Any]) -> str:
    parts = sorted(((row[f"zone_{z}"], z) for z in ZONES), reverse=True)
    return " · ".join(f"{z} {share_of(v, row['zone_se'])}" for v, z in parts if v >= 0.0005)


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The per-scenario results, formatted for readers: every verdict with the share of draws
    behind it."""
    records = summary.to_dict("records")
    return pd.DataFrame(
        {
            "Scenario": summary["title"],
            "Unsafe first AI (median, 80% interval)": [
                f"{p_of(r, 'median')} ({iv_of(r)})" for r in records
            ],
            "95% interval": [iv_of(r, "p2_5", "p97_5") for r in records],
            "Arms build-up runs away": [
                of_draws(r["runaway_share"], r["runaway_share_se"]) for r in records
            ],
            "Development race zone (share of draws)": [_zones_cell(r) for r in records],
            "Safety wins the long run (share of draws)": [
                share_of(r["safe_wins"], r["safe_wins_se"]) for r in records
            ],
        }
    )


def parameters_table(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """Every model parameter per scenario as 'central (low-high)', for the reader's audit."""
    rows = []
    for m in MODELS.values():
        for c in m.choices:
            rows.append(
                {
                    "Model": m.title,
                    "Parameter": c.label,
                    **{s.title: s.choices[m.key][c.name] for s in scenarios},
                }
            )
        for p in m.parameters:
            cells = {}
            for s in scenarios:
                r = s.ranges[m.key][p.name]
                cells[s.title] = (
                    f"{r.central:g}" if r.fixed else f"{r.central:g} ({r.low:g}{EN_DASH}{r.high:g})"
                )
            rows.append({"Model": m.title, "Parameter": p.label, **cells})
    return pd.DataFrame(rows)


def tornado_table(tornado: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Parameter": tornado["label"],
            "Low setting": tornado["low_setting"],
            "Risk at low": tornado["p_low"].map(pct),
            "High setting": tornado["high_setting"],
            "Risk at high": tornado["p_high"].map(pct),
            "Swing (points)": tornado["swing"].map(swing_points),
        }
    )
