"""The DSAIR race of Han, Pereira, Santos & Lenaerts (2020) against the paper's values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskbrief.models import dsair

# race-models.md reference setting.
B_, C_, SPEED = 4.0, 1.0, 1.5
AS, AU, CS = range(3)


def test_early_regime_thresholds():
    t = dsair.thresholds(B_, C_, SPEED, 0.0, B=math.inf, W=100)
    assert t["collective"] == pytest.approx(1 / 3, abs=1e-9)
    assert t["as_risk_dominant"] == pytest.approx(7 / 9, abs=1e-9)
    assert t["cs_risk_dominant"] == pytest.approx(7 / 9, abs=1e-9)


def test_n_player_risk_dominance_threshold():
    t = dsair.thresholds(B_, C_, SPEED, 0.0, B=math.inf, W=100, N=5)
    assert t["as_risk_dominant"] == pytest.approx(0.9416, abs=1e-4)
    assert t["as_risk_dominant"] == pytest.approx(1 - 1 / (5 * (137 / 60) * SPEED), abs=1e-12)
    assert t["collective"] == pytest.approx(1 / 3, abs=1e-9)


def test_late_regime_thresholds():
    t = dsair.thresholds(B_, C_, SPEED, 0.0, B=1e4, W=math.inf)
    assert t["collective"] == pytest.approx(0.5, abs=1e-9)
    assert t["cs_risk_dominant"] == pytest.approx(0.25, abs=1e-9)


def test_finite_thresholds_tend_to_the_two_regimes():
    early = dsair.thresholds(B_, C_, SPEED, 0.3, B=1e10, W=100)
    want = dsair.thresholds(B_, C_, SPEED, 0.3, B=math.inf, W=100)
    for key in want:
        assert early[key] == pytest.approx(want[key], abs=1e-6)
    late = dsair.thresholds(B_, C_, SPEED, 0.3, B=1.0, W=1e10)
    want = dsair.thresholds(B_, C_, SPEED, 0.3, B=1.0, W=math.inf)
    for key in want:
        assert late[key] == pytest.approx(want[key], abs=1e-6)


def test_thresholds_solve_the_payoff_comparisons():
    b, c, speed, p_fo, big_b, w = 4.0, 1.0, 1.8, 0.2, 500.0, 50.0
    t = dsair.thresholds(b, c, speed, p_fo, big_b, w)
    m = dsair.payoffs(b, c, speed, p_fo, t["collective"], big_b, w)
    assert m[AS, AS] == pytest.approx(m[AU, AU])
    m = dsair.payoffs(b, c, speed, p_fo, t["cs_risk_dominant"], big_b, w)
    assert m[CS, CS] + m[CS, AU] == pytest.approx(m[AU, CS] + m[AU, AU])
    m = dsair.payoffs(b, c, speed, p_fo, t["as_risk_dominant"], big_b, w)
    assert m[AS, AS] + m[AS, AU] == pytest.approx(m[AU, AS] + m[AU, AU])


def test_payoff_matrix_entries():
    b, c, speed, p_fo, p_r, big_b, w = 4.0, 1.0, 1.5, 0.5, 0.3, 1e4, 100.0
    m = dsair.payoffs(b, c, speed, p_fo, p_r, big_b, w)
    pi11 = -c + b / 2
    pi12 = -c + (1 - p_fo) * b / (speed + 1) + p_fo * b
    pi21 = (1 - p_fo) * speed * b / (speed + 1)
    pi22 = (1 - p_fo**2) * b / 2
    safe = big_b / (2 * w) + pi11
    assert m.shape == (3, 3)
    for i, j in [(AS, AS), (AS, CS), (CS, AS), (CS, CS)]:
        assert m[i, j] == pytest.approx(safe)
    assert m[AS, AU] == pytest.approx(pi12)
    assert m[CS, AU] == pytest.approx(speed / w * pi12 + (1 - speed / w) * pi22)
    assert m[AU, AS] == pytest.approx((1 - p_r) * (speed * big_b / w + pi21))
    assert m[AU, AU] == pytest.approx((1 - p_r) * (speed * big_b / (2 * w) + pi22))
    assert m[AU, CS] == pytest.approx(
        (1 - p_r) * (speed * big_b / w + speed / w * pi21 + (1 - speed / w) * pi22)
    )


@pytest.mark.parametrize(
    ("p_r", "speed", "expected"),
    [
        (0.2, 1.5, "innovation"),
        (0.5, 1.5, "dilemma"),
        (0.9, 1.5, "compliance"),
        (0.6, 3.0, "innovation"),
        (0.7, 3.0, "dilemma"),
    ],
)
def test_zones(p_r, speed, expected):
    assert dsair.zone(p_r, speed) == expected


def test_zone_is_vectorised():
    out = dsair.zone(np.array([0.2, 0.5, 0.9]), 1.5)
    assert list(out) == ["innovation", "dilemma", "compliance"]


def test_stationary_distribution_reference():
    # Han et al. (2020): W = 100, p_fo = 0.5, B = 1e4, beta = 0.1, Z = 100, p_r = 0.9.
    dist = dsair.stationary_distribution(B_, C_, SPEED, 0.5, 0.9, B=1e4, W=100, Z=100, beta=0.1)
    assert set(dist) == {"AS", "AU", "CS"}
    assert sum(dist.values()) == pytest.approx(1.0)
    assert dist["AS"] == pytest.approx(0.5, abs=0.01)
    assert dist["CS"] == pytest.approx(0.5, abs=0.01)
    assert dist["AU"] < 0.01


def test_unsafe_takes_over_at_low_risk():
    dist = dsair.stationary_distribution(B_, C_, SPEED, 0.5, 0.1, B=1e4, W=100)
    assert dist["AU"] > 0.99


def test_fixation_is_neutral_between_equal_payoffs():
    m = dsair.payoffs(B_, C_, SPEED, 0.5, 0.5, 1e4, 100)
    # AS and CS earn the same against each other and themselves: neutral drift, 1/Z.
    assert dsair.fixation_probability(m, AS, CS, Z=50) == pytest.approx(1 / 50)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(p_r=st.floats(0.0, 1.0), speed=st.floats(1.01, 5.0))
def test_zone_agrees_with_early_thresholds(p_r, speed):
    t = dsair.thresholds(B_, C_, speed, 0.0, B=math.inf, W=100)
    z = dsair.zone(p_r, speed)
    if p_r < t["collective"]:
        assert z == "innovation"
    elif p_r > t["cs_risk_dominant"]:
        assert z == "compliance"
    else:
        assert z == "dilemma"


def test_bad_inputs():
    with pytest.raises(ValueError, match="speed"):
        dsair.payoffs(B_, C_, 1.0, 0.0, 0.5, 1e4, 100)
    with pytest.raises(ValueError, match="p_r"):
        dsair.payoffs(B_, C_, 1.5, 0.0, 1.5, 1e4, 100)
    with pytest.raises(ValueError, match="early regime"):
        dsair.thresholds(B_, C_, 1.5, 0.0, 1e4, 100, N=3)
