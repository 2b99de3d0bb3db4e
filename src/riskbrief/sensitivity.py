"""What moves the risk in one scenario: the one-at-a-time sensitivity (tornado) of the racing
model's disaster probability, and what disclosing capabilities does to it.

Everything here is evaluated at the scenario's most-likely values (closed forms, no sampling),
so the numbers in the chart, the table and the sentence are the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskbrief.models import MODELS, racing
from riskbrief.scenarios import Scenario


def sensitivity(s: Scenario) -> pd.DataFrame:
    """One-at-a-time sensitivity of the racing model's disaster probability (a tornado).

    Each numeric racing parameter is moved to its low and then its high value with the others
    at their central values; the information regime is switched to each other regime. Rows,
    largest swing first: ``parameter``, ``label``, ``low_setting``, ``high_setting`` (text),
    ``p_low``, ``p_high`` (disaster probability at each setting, in that order), ``base`` and
    ``swing``: the distance between the lowest and the highest of ``p_low``, ``p_high`` and
    ``base``, which is exactly the length of the parameter's bars in the tornado chart.
    """
    base_p = s.central("racing")
    model = MODELS["racing"]

    def p_at(**change: Any) -> float:
        q = {**base_p, **change}
        return racing.disaster_probability(q["n"], q["mu"], q["enmity"], q["information"])

    base = p_at()
    rows = []
    for spec in model.parameters:
        r = s.ranges["racing"][spec.name]
        if r.fixed:
            continue
        lo = int(r.low) if spec.integer else r.low
        hi = int(r.high) if spec.integer else r.high
        rows.append(
            {
                "parameter": spec.name,
                "label": spec.label,
                "low_setting": f"{lo:g}",
                "high_setting": f"{hi:g}",
                "p_low": p_at(**{spec.name: lo}),
                "p_high": p_at(**{spec.name: hi}),
            }
        )
    others = {
        reg: p_at(information=reg)
        for reg in racing.INFORMATION_REGIMES
        if reg != base_p["information"]
    }
    if others:
        safest = min(others, key=others.get)
        riskiest = max(others, key=others.get)
        rows.append(
            {
                "parameter": "information",
                "label": "information regime",
                "low_setting": safest,
                "high_setting": riskiest,
                "p_low": others[safest],
                "p_high": others[riskiest],
            }
        )
    df = pd.DataFrame(
        rows, columns=["parameter", "label", "low_setting", "high_setting", "p_low", "p_high"]
    )
    df["base"] = base
    ends = df[["p_low", "p_high", "base"]]
    df["swing"] = (ends.max(axis=1) - ends.min(axis=1)).clip(lower=0)
    return df.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def disclosure(s: Scenario) -> dict[str, Any]:
    """What knowledge of capabilities does to the racing model's risk in one scenario.

    Armstrong, Bostrom & Shulman find that knowing capabilities raises risk: with none known
    teams cannot tell whether they are ahead and skimp least. Returns, at the scenario's
    most-likely values, the disaster probability under each regime (``none``, ``private``,
    ``public``) and ``enmity_threshold``: the enmity below which full disclosure (public) is
    safer than each side knowing only its own capabilities (private), at the scenario's
    capability weight and number of teams (None if disclosure is never safer there).
    """
    p = s.central("racing")
    n, mu, e = p["n"], p["mu"], p["enmity"]
    risks = {r: float(racing.disaster_probability(n, mu, e, r)) for r in racing.INFORMATION_REGIMES}
    grid = np.linspace(1e-3, 1.0, 2001)
    gap = racing.disaster_probability(n, mu, grid, "public") - racing.disaster_probability(
        n, mu, grid, "private"
    )
    safer = grid[gap < 0]
    threshold = None
    if safer.size:
        # refine the crossing between the last enmity where disclosure is safer and the next
        lo = float(safer.max())
        hi = min(1.0, lo + float(grid[1] - grid[0]))
        for _ in range(60):
            mid = (lo + hi) / 2
            d = racing.disaster_probability(n, mu, mid, "public") - racing.disaster_probability(
                n, mu, mid, "private"
            )
            lo, hi = (mid, hi) if d < 0 else (lo, mid)
        threshold = lo if lo < 1.0 - 1e-9 else None
        if threshold is None:
            threshold = 1.0
    return {
        "information": p["information"],
        "n": n,
        "mu": mu,
        "enmity": e,
        "risks": risks,
        "enmity_threshold": threshold,
    }
