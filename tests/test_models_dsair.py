"""The DSAIR race of Han, Pereira, Santos & Lenaerts (2020) against the paper's values."""

from __future__ import annotations

import itertools
import math
from decimal import Decimal, localcontext

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


# --- stationary distribution against an exact computation ----------------------------------
#
# The reference below shares nothing with the module: payoffs from the spec's formulas, the
# fixation probabilities as the spec writes them, the full transition matrix with its
# diagonal 1 - sum(row), and Gaussian elimination -- all in decimal arithmetic with enough
# digits that 1 - sum(row) keeps every digit of the smallest rate. The float inputs are
# converted exactly (Decimal(float)), so both sides solve the same problem.

_DIGITS = 50  # significant digits kept beyond what the smallest rate uses up


def _d(x: float) -> Decimal:
    return Decimal(float(x))


def _exact_payoffs(b, c, speed, p_fo, p_r, big_b, w) -> list[list[Decimal]]:
    with localcontext() as ctx:
        ctx.prec = 2 * _DIGITS
        return _exact_payoff_rows(*map(_d, (b, c, speed, p_fo, p_r, big_b, w)))


def _exact_payoff_rows(b, c, speed, p_fo, p_r, big_b, w) -> list[list[Decimal]]:
    one = Decimal(1)
    pi11 = -c + b / 2
    pi12 = -c + (one - p_fo) * b / (speed + 1) + p_fo * b
    pi21 = (one - p_fo) * speed * b / (speed + 1)
    pi22 = (one - p_fo * p_fo) * b / 2
    prize, f = big_b / w, speed / w
    safe = prize / 2 + pi11
    return [
        [safe, pi12, safe],
        [
            (one - p_r) * (speed * prize + pi21),
            (one - p_r) * (speed * prize / 2 + pi22),
            (one - p_r) * (speed * prize + f * pi21 + (one - f) * pi22),
        ],
        [safe, f * pi12 + (one - f) * pi22, safe],
    ]


def _exact_rho(m, a: int, b: int, z: int, beta: Decimal) -> Decimal:
    """rho = 1 / (1 + sum_{i=1}^{Z-1} prod_{j<=i} exp(-beta (P_A(j) - P_B(j))))."""
    total, prod = Decimal(0), Decimal(1)
    for j in range(1, z):
        pa = ((j - 1) * m[a][a] + (z - j) * m[a][b]) / (z - 1)
        pb = (j * m[b][a] + (z - j - 1) * m[b][b]) / (z - 1)
        prod *= (-beta * (pa - pb)).exp()
        total += prod
    return 1 / (1 + total)


def _solve(a: list[list[Decimal]], rhs: list[Decimal]) -> list[Decimal]:
    """Gaussian elimination with partial pivoting, in the current decimal context."""
    n = len(a)
    a = [[*row, r] for row, r in zip(a, rhs, strict=True)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[piv] = a[piv], a[col]
        for r in range(col + 1, n):
            f = a[r][col] / a[col][col]
            a[r] = [x - f * y for x, y in zip(a[r], a[col], strict=True)]
    x = [Decimal(0)] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][k] * x[k] for k in range(r + 1, n))) / a[r][r]
    return x


def _exact_stationary(m, z: int, beta: float) -> list[Decimal]:
    """Stationary distribution of T (T[i][j] = rho_ji / (S-1), T[i][i] = 1 - sum) from
    pi (T - I) = 0, sum(pi) = 1."""
    s = len(m)
    with localcontext() as ctx:
        ctx.prec = _DIGITS + 10
        m = [[+Decimal(x) for x in row] for row in m]  # floats convert exactly
        rate = [
            [_exact_rho(m, j, i, z, _d(beta)) / (s - 1) if i != j else None for j in range(s)]
            for i in range(s)
        ]
        smallest = min(r for row in rate for r in row if r is not None)
        # 1 - sum(row) must resolve the smallest rate, and products of rates appear in the
        # elimination: three times its number of leading zeros, plus _DIGITS, suffices.
        ctx.prec = _DIGITS + 3 * max(0, -smallest.adjusted())
        t = [
            [
                rate[i][j] if i != j else 1 - sum(r for r in rate[i] if r is not None)
                for j in range(s)
            ]
            for i in range(s)
        ]
        # Rows of the system: (T - I)^T pi = 0, the last equation replaced by sum(pi) = 1.
        a = [[t[j][i] - (1 if i == j else 0) for j in range(s)] for i in range(s - 1)]
        a.append([Decimal(1)] * s)
        pi = _solve(a, [Decimal(0)] * (s - 1) + [Decimal(1)])
        ctx.prec = _DIGITS
        return [+x for x in pi]


def _assert_matches_exact(m_float, m_exact, z: int, beta: float) -> None:
    exact = _exact_stationary(m_exact, z, beta)
    log_pi = dsair.log_stationary(m_float, z, beta)
    # Every share, however small, to a relative 1e-9 (compared in logs: some underflow).
    for lp, ex in zip(log_pi, exact, strict=True):
        want = float(ex.ln())
        assert lp == pytest.approx(want, abs=1e-9 * (1 + abs(want)))
    if m_float.shape[0] <= len(dsair.STRATEGIES):
        shares = dsair.stationary_from_payoffs(m_float, z, beta)
        assert math.fsum(shares.values()) == pytest.approx(1.0, abs=1e-14)
        for got, ex in zip(shares.values(), exact, strict=True):
            assert 0.0 <= got <= 1.0
            assert got == pytest.approx(float(ex), rel=1e-9, abs=1e-12)


# The scenario file's safety-race central values (b = 4, c = 1, B = 1e4, W = 100).
SAFETY_RACE = {"speed": 1.1, "p_fo": 0.7, "p_r": 0.7}


def _dist(speed, p_fo, p_r, Z=100, beta=0.1):
    return dsair.stationary_distribution(B_, C_, speed, p_fo, p_r, B=1e4, W=100, Z=Z, beta=beta)


def test_stationary_at_the_safety_race_central_values():
    # Fixation probabilities of AU and into AU are 1e-16 .. 1e-22 here: 1 - sum(row) rounds
    # to 1, and a solver built on it returned 1/3 for each state.
    dist = _dist(**SAFETY_RACE)
    assert dist["AS"] == pytest.approx(0.5, abs=1e-4)
    assert dist["CS"] == pytest.approx(0.5, abs=1e-4)
    assert dist["AU"] == pytest.approx(8.213e-6, rel=1e-3)


def test_stationary_at_the_safety_race_with_speed_1_2():
    dist = _dist(**{**SAFETY_RACE, "speed": 1.2})
    assert dist["AU"] == pytest.approx(1.0, abs=1e-4)
    assert dist["AS"] == pytest.approx(dist["CS"], rel=1e-12)


def test_stationary_reference_has_no_unsafe_share():
    dist = _dist(1.5, 0.5, 0.9)
    assert dist["AU"] < 1e-60
    assert dist["AS"] == pytest.approx(0.5, abs=1e-12)
    assert dist["CS"] == pytest.approx(0.5, abs=1e-12)


_NAMED = [
    pytest.param(1.1, 0.7, 0.7, 100, 0.1, id="safety-race-central"),
    pytest.param(1.2, 0.7, 0.7, 100, 0.1, id="safety-race-speed-1.2"),
    pytest.param(1.5, 0.5, 0.9, 100, 0.1, id="spec-reference"),
    pytest.param(2.0, 0.1, 0.7, 100, 0.1, id="arms-race-central"),
    pytest.param(1.5, 0.4, 0.7, 100, 0.1, id="managed-competition-central"),
    pytest.param(3.0, 0.0, 0.1, 100, 1.0, id="rates-below-1e-7000"),
]
_GRID = [
    pytest.param(speed, p_fo, p_r, 100, 0.1, id=f"speed={speed}-p_fo={p_fo}-p_r={p_r}")
    for speed, p_fo, p_r in itertools.product(
        (1.05, 1.1, 1.2, 1.5, 2.0, 3.0), (0.0, 0.7), (0.1, 0.4, 0.7, 0.9)
    )
] + [
    pytest.param(speed, 0.5, p_r, z, beta, id=f"speed={speed}-p_r={p_r}-Z={z}-beta={beta}")
    for speed, p_r, z, beta in itertools.product(
        (1.1, 2.0), (0.4, 0.9), (2, 10, 100), (0.0, 0.01, 1.0)
    )
]


@pytest.mark.parametrize(("speed", "p_fo", "p_r", "z", "beta"), _NAMED + _GRID)
def test_stationary_matches_exact_computation(speed, p_fo, p_r, z, beta):
    params = (B_, C_, speed, p_fo, p_r, 1e4, 100.0)
    _assert_matches_exact(dsair.payoffs(*params), _exact_payoffs(*params), z, beta)


def test_stationary_matches_exact_for_a_four_strategy_game():
    # More than three strategies goes through GTH state reduction rather than the tree formula.
    m = np.array(
        [[3.0, 0.0, 5.0, 1.0], [5.0, 1.0, 0.0, 2.0], [0.0, 5.0, 3.0, 4.0], [2.0, 2.5, 1.0, 3.0]]
    )
    for z, beta in [(10, 0.1), (100, 0.1), (100, 2.0), (50, 20.0)]:
        _assert_matches_exact(m, m.tolist(), z, beta)


def _lstsq_stationary(m: np.ndarray, z: int, beta: float) -> np.ndarray:
    """The former solver: full transition matrix and least squares. Reliable only while every
    rate is far above the rounding error of 1 - sum(row)."""
    s = m.shape[0]
    t = np.zeros((s, s))
    for i in range(s):
        for j in range(s):
            if i != j:
                t[i, j] = dsair.fixation_probability(m, j, i, z, beta) / (s - 1)
        t[i, i] = 1.0 - t[i].sum()
    a = np.vstack([(t - np.eye(s)).T, np.ones(s)])
    rhs = np.zeros(s + 1)
    rhs[-1] = 1.0
    pi, *_ = np.linalg.lstsq(a, rhs, rcond=None)
    return pi


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    s=st.integers(2, 5),
    z=st.integers(2, 50),
    beta=st.floats(0.0, 0.01),
    data=st.data(),
)
def test_stationary_agrees_with_least_squares_where_that_is_reliable(s, z, beta, data):
    # Payoffs in [-10, 10], beta <= 0.01, Z <= 50: every rate exceeds about 1e-7, far above
    # the 1e-16 rounding of the old method, so both must agree.
    entries = data.draw(
        st.lists(st.floats(-10.0, 10.0), min_size=s * s, max_size=s * s), label="payoff"
    )
    m = np.array(entries).reshape(s, s)
    want = _lstsq_stationary(m, z, beta)
    got = np.exp(dsair.log_stationary(m, z, beta))
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    speed=st.floats(1.01, 5.0),
    p_fo=st.floats(0.0, 1.0),
    p_r=st.floats(0.0, 1.0),
    big_b=st.floats(0.0, 1e6),
    w=st.floats(5.0, 1e4),
    z=st.integers(2, 200),
    beta=st.floats(0.0, 5.0),
)
def test_stationary_is_a_distribution(speed, p_fo, p_r, big_b, w, z, beta):
    dist = dsair.stationary_distribution(B_, C_, speed, p_fo, p_r, big_b, w, Z=z, beta=beta)
    assert list(dist) == ["AS", "AU", "CS"]
    assert all(0.0 <= v <= 1.0 for v in dist.values())
    assert math.fsum(dist.values()) == pytest.approx(1.0, abs=1e-14)
    assert np.all(
        np.isfinite(
            dsair.log_stationary(dsair.payoffs(B_, C_, speed, p_fo, p_r, big_b, w), z, beta)
        )
    )


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    log_q=st.lists(st.floats(-2000.0, 0.0), min_size=9, max_size=9).map(
        lambda v: np.array(v).reshape(3, 3)
    )
)
def test_tree_formula_and_state_reduction_agree(log_q):
    tree = dsair._tree_three(log_q)
    gth = dsair._gth(log_q)
    np.testing.assert_allclose(tree - tree.max(), gth - gth.max(), rtol=1e-12, atol=1e-9)


def test_log_fixation_probability():
    m = dsair.payoffs(B_, C_, 1.5, 0.5, 0.9, 1e4, 100)
    log_rho = dsair.log_fixation_probability(m, AU, AS)
    assert log_rho < math.log(1e-60)
    assert math.exp(log_rho) == dsair.fixation_probability(m, AU, AS)
    strong = dsair.log_fixation_probability(m, AU, AS, beta=50.0)
    assert math.isfinite(strong) and strong < -700  # exp underflows; the log does not
    assert dsair.fixation_probability(m, AU, AS, beta=50.0) == 0.0


def test_stationary_bad_inputs():
    m = dsair.payoffs(B_, C_, 1.5, 0.5, 0.9, 1e4, 100)
    with pytest.raises(ValueError, match="beta"):
        dsair.stationary_from_payoffs(m, beta=math.inf)
    with pytest.raises(ValueError, match="beta"):
        dsair.stationary_from_payoffs(m, beta=-0.1)
    with pytest.raises(ValueError, match="Z"):
        dsair.stationary_from_payoffs(m, Z=1)
    with pytest.raises(ValueError, match="finite"):
        dsair.stationary_from_payoffs(np.full((3, 3), math.nan))
    with pytest.raises(ValueError, match="square"):
        dsair.stationary_from_payoffs(np.ones((2, 3)))
    with pytest.raises(ValueError, match="overflow"):
        dsair.stationary_from_payoffs(np.array([[1e308, -1e308], [-1e308, 1e308]]), beta=10.0)
    with pytest.raises(ValueError, match="log_stationary"):
        dsair.stationary_from_payoffs(np.ones((4, 4)))


def test_many_sets_at_once_give_the_one_set_numbers_bit_for_bit() -> None:
    """The batched stationary distribution (used by the Monte Carlo and the Sobol design) is
    the one-set function's, number for number, across the scenarios' parameter ranges."""
    rng = np.random.default_rng(2026)
    n = 700  # more than one chunk below
    params = {
        "b": rng.uniform(2, 6, n),
        "c": rng.uniform(0.5, 1.5, n),
        "speed": rng.uniform(1.05, 3, n),
        "p_fo": rng.uniform(0, 0.95, n),
        "p_r": rng.uniform(0, 1, n),
        "B": rng.uniform(100, 20_000, n),
        "W": rng.uniform(50, 200, n),
    }
    batch = dsair.stationary_distributions(params, chunk=256)
    one = np.array(
        [
            list(
                dsair.stationary_distribution(
                    *(float(params[k][i]) for k in ("b", "c", "speed", "p_fo", "p_r", "B", "W"))
                ).values()
            )
            for i in range(n)
        ]
    )
    assert batch.shape == (n, 3)
    assert np.array_equal(batch, one)
