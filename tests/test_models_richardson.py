"""Richardson's arms-race equations (Richardson 1960)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskbrief.models import richardson


def test_equilibrium_closed_form():
    x, y = richardson.equilibrium(a=0.2, b=0.3, m=0.5, n=0.6, g=0.1, h=0.2)
    det = 0.5 * 0.6 - 0.2 * 0.3
    assert x == pytest.approx((0.2 * 0.2 + 0.6 * 0.1) / det, abs=1e-12)
    assert y == pytest.approx((0.3 * 0.1 + 0.5 * 0.2) / det, abs=1e-12)
    # It is a fixed point of the equations.
    assert 0.2 * y - 0.5 * x + 0.1 == pytest.approx(0.0, abs=1e-12)
    assert 0.3 * x - 0.6 * y + 0.2 == pytest.approx(0.0, abs=1e-12)


def test_reference_runaway_case():
    assert richardson.stability(2, 2, 1, 1) == "runaway"
    assert richardson.eigenvalues(2, 2, 1, 1) == pytest.approx((1.0, -3.0))
    df = richardson.simulate(2, 2, 1, 1, 1, 1, x0=1, y0=1, years=5, steps_per_year=4)
    # Along (1, 1) the growth rate is the eigenvalue 1: x(t) = 2 e^t - 1.
    assert df["x"].iloc[-1] == pytest.approx(2 * np.exp(5) - 1, rel=1e-6)


def test_stable_case():
    assert richardson.stability(0.2, 0.3, 0.5, 0.6) == "stable"
    assert max(richardson.eigenvalues(0.2, 0.3, 0.5, 0.6)) < 0


def test_trajectory_frame_shape():
    df = richardson.simulate(
        0.2, 0.3, 0.5, 0.6, 0.1, 0.2, x0=1.0, y0=0.5, years=10, steps_per_year=12
    )
    assert list(df.columns) == ["year", "x", "y"]
    assert len(df) == 121
    assert df["year"].iloc[0] == 0.0
    assert df["year"].iloc[-1] == pytest.approx(10.0)
    assert (df["x"].iloc[0], df["y"].iloc[0]) == (1.0, 0.5)


def test_no_equilibrium_when_balanced():
    with pytest.raises(ValueError, match="no equilibrium"):
        richardson.equilibrium(1, 1, 1, 1, 0.1, 0.1)


coef = st.floats(0.0, 1.0)
restraint = st.floats(0.2, 1.5)
grievance = st.floats(0.0, 0.5)
stock = st.floats(0.0, 3.0)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(a=coef, b=coef, m=restraint, n=restraint, g=grievance, h=grievance, x0=stock, y0=stock)
def test_stable_trajectories_converge_to_equilibrium(a, b, m, n, g, h, x0, y0):
    if m * n - a * b < 0.05:  # keep convergence within the horizon
        return
    x_star, y_star = richardson.equilibrium(a, b, m, n, g, h)
    lam = max(richardson.eigenvalues(a, b, m, n))
    years = float(np.ceil(-30.0 / lam))
    df = richardson.simulate(a, b, m, n, g, h, x0, y0, years=years, steps_per_year=1)
    assert richardson.stability(a, b, m, n) == "stable"
    assert df["x"].iloc[-1] == pytest.approx(x_star, abs=1e-5)
    assert df["y"].iloc[-1] == pytest.approx(y_star, abs=1e-5)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    a=coef,
    b=coef,
    m=restraint,
    n=restraint,
    g=st.floats(-1.0, 0.2),
    h=st.floats(-1.0, 0.2),
    x0=stock,
    y0=stock,
)
def test_stocks_never_negative(a, b, m, n, g, h, x0, y0):
    df = richardson.simulate(a, b, m, n, g, h, x0, y0, years=20, steps_per_year=4)
    assert (df[["x", "y"]].to_numpy() >= 0).all()


def test_goodwill_disarms_to_zero():
    # Grievances negative and restraint strong: both stocks fall to zero and stay there.
    df = richardson.simulate(
        0.1, 0.1, 0.5, 0.5, -0.5, -0.5, x0=1.0, y0=1.0, years=30, steps_per_year=2
    )
    assert df["x"].iloc[-1] == pytest.approx(0.0, abs=1e-6)
    assert df["y"].iloc[-1] == pytest.approx(0.0, abs=1e-6)
    assert (df[["x", "y"]].to_numpy() >= 0).all()


def test_runaway_grows_without_bound():
    df = richardson.simulate(
        0.6, 0.7, 0.3, 0.3, 0.1, 0.1, x0=1.0, y0=1.0, years=30, steps_per_year=1
    )
    assert df["x"].is_monotonic_increasing
    assert df["x"].iloc[-1] > 100 * df["x"].iloc[0]


def test_bad_inputs():
    with pytest.raises(ValueError, match="non-negative"):
        richardson.stability(-1, 1, 1, 1)
    with pytest.raises(ValueError, match="initial stocks"):
        richardson.simulate(1, 1, 2, 2, 0, 0, x0=-1, y0=0, years=1, steps_per_year=1)


def test_clamped_stock_stays_at_zero_and_stops_feeding_the_rival():
    # US at zero with goodwill (g < 0) outweighing fear of China's stock: x must stay at 0,
    # so y follows dy/dt = -n y + h exactly: y(t) = h/n + (y0 - h/n) e^(-n t). Were x allowed
    # below zero inside the solver, b x would pull y below this curve.
    a, b, m, n, g, h = 0.1, 0.5, 0.5, 0.5, -0.5, 0.2
    df = richardson.simulate(a, b, m, n, g, h, x0=0.0, y0=1.0, years=20, steps_per_year=4)
    assert (df["x"] == 0.0).all()
    expected = h / n + (1.0 - h / n) * np.exp(-n * df["year"].to_numpy())
    np.testing.assert_allclose(df["y"].to_numpy(), expected, atol=1e-7)
