"""Richardson's arms-race equations.

Richardson, L. F. (1960). *Arms and Insecurity: A Mathematical Study of the Causes and
Origins of War.* Pittsburgh: Boxwood Press (first stated in "Generalized foreign
politics", British Journal of Psychology Monograph Supplements 23, 1939).

Two rivals hold stocks ``x`` (here the United States) and ``y`` (China)::

    dx/dt = a y - m x + g
    dy/dt = b x - n y + h

``a, b`` measure fear of the rival's stock, ``m, n`` fatigue or restraint, ``g, h``
standing grievance (negative for goodwill). Stocks cannot fall below zero: a stock at
zero with a negative rate of change stays at zero.

The unconstrained equilibrium is ``x* = (a h + n g)/(m n - a b)``,
``y* = (b g + m h)/(m n - a b)``; it is stable (trajectories converge) when
``m n > a b`` and the race runs away when ``a b > m n``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported when a path is solved: the model registry needs none of it
    import pandas as pd

STABILITY: tuple[str, ...] = ("stable", "runaway")


def _check_rates(**rates: float) -> None:
    for name, value in rates.items():
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(
                f"Richardson coefficient {name} must be a non-negative number, got {value!r}"
            )


def equilibrium(a: float, b: float, m: float, n: float, g: float, h: float) -> tuple[float, float]:
    """The fixed point ``(x*, y*)`` of the unconstrained system. It may be negative (goodwill
    outweighs fear) and is only reached when :func:`stability` is ``"stable"``."""
    _check_rates(a=a, b=b, m=m, n=n)
    det = m * n - a * b
    if det == 0:
        raise ValueError("no equilibrium: restraint exactly balances fear (m n = a b)")
    return ((a * h + n * g) / det, (b * g + m * h) / det)


def eigenvalues(a: float, b: float, m: float, n: float) -> tuple[float, float]:
    """Eigenvalues of the system matrix ``[[-m, a], [b, -n]]``, largest first (always real
    for non-negative coefficients)."""
    _check_rates(a=a, b=b, m=m, n=n)
    mean = -(m + n) / 2
    root = float(np.sqrt(((m - n) / 2) ** 2 + a * b))
    return (mean + root, mean - root)


def stability(a: float, b: float, m: float, n: float) -> str:
    """``"stable"`` when restraint outweighs fear (``m n > a b``: both eigenvalues negative),
    otherwise ``"runaway"`` (a non-negative eigenvalue: stocks grow without bound, or drift
    when ``m n = a b``)."""
    _check_rates(a=a, b=b, m=m, n=n)
    return "stable" if m * n > a * b else "runaway"


def stability_margin(a, b, m, n):
    """``m n - a b``, vectorised: positive when stable, negative when the race runs away."""
    return np.asarray(m) * np.asarray(n) - np.asarray(a) * np.asarray(b)


def growth_rate(a, b, m, n):
    """The largest eigenvalue, vectorised: the long-run exponential growth rate per year of a
    runaway race (positive), or the rate of convergence of a stable one (negative)."""
    a, b, m, n = (np.asarray(v, dtype=float) for v in (a, b, m, n))
    return -(m + n) / 2 + np.sqrt(((m - n) / 2) ** 2 + a * b)


def simulate(
    a: float,
    b: float,
    m: float,
    n: float,
    g: float,
    h: float,
    x0: float,
    y0: float,
    years: float,
    steps_per_year: int,
) -> pd.DataFrame:
    """Integrate the equations from ``(x0, y0)`` for ``years`` with an adaptive Runge-Kutta
    solver (scipy ``solve_ivp``, RK45, rtol 1e-9), stocks clamped at zero.

    Returns a DataFrame with columns ``year``, ``x`` (US) and ``y`` (China), one row per
    ``1/steps_per_year`` of a year from 0 to ``years`` inclusive.
    """
    _check_rates(a=a, b=b, m=m, n=n)
    if not (np.isfinite(g) and np.isfinite(h)):
        raise ValueError("grievances g and h must be finite numbers")
    if not (x0 >= 0 and y0 >= 0):
        raise ValueError(f"initial stocks must be non-negative, got x0={x0!r}, y0={y0!r}")
    if not years > 0:
        raise ValueError(f"years must be positive, got {years!r}")
    if int(steps_per_year) != steps_per_year or steps_per_year < 1:
        raise ValueError(f"steps_per_year must be a positive integer, got {steps_per_year!r}")

    def rhs(_t: float, s: np.ndarray) -> np.ndarray:
        x, y = max(s[0], 0.0), max(s[1], 0.0)
        dx = a * y - m * x + g
        dy = b * x - n * y + h
        # A stock at zero cannot be drawn down further.
        if s[0] <= 0.0:
            dx = max(dx, 0.0)
        if s[1] <= 0.0:
            dy = max(dy, 0.0)
        return np.array([dx, dy])

    t_eval = np.linspace(0.0, float(years), round(years * steps_per_year) + 1)
    import pandas as pd
    from scipy.integrate import solve_ivp  # imported here: half a second, only when solving

    sol = solve_ivp(
        rhs,
        (0.0, float(years)),
        [float(x0), float(y0)],
        method="RK45",
        t_eval=t_eval,
        rtol=1e-9,
        atol=1e-12,
    )
    if not sol.success:  # pragma: no cover - the system is linear and smooth
        raise RuntimeError(f"Richardson integration failed: {sol.message}")
    stocks = np.clip(sol.y, 0.0, None)
    return pd.DataFrame({"year": sol.t, "x": stocks[0], "y": stocks[1]})
