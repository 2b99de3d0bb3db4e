"""The Armstrong-Bostrom-Shulman racing model against the paper's closed forms and claims."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskbrief.models import racing

REGIMES = racing.INFORMATION_REGIMES

# (e, n, mu): none, private, public — race-models.md reference values.
REFERENCE = [
    ((1.0, 2, 1.0), (0.5, 2 / 3, 2 / 3)),
    ((1.0, 2, 2.0), (0.0, 1 / 3, 5 / 12)),
    ((1.0, 5, 2.0), (0.6, 2 / 3, 0.671875)),
    ((0.5, 2, 0.5), (0.5, 7 / 9, 2 / 3)),
]

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)
mus = st.floats(0.01, 10.0)
enmities = st.floats(0.01, 1.0)
teams = st.integers(2, 8)


@pytest.mark.parametrize(("args", "expected"), REFERENCE)
def test_closed_forms_match_reference_values(args, expected):
    e, n, mu = args
    for regime, want in zip(REGIMES, expected, strict=True):
        assert racing.disaster_probability(n, mu, e, regime) == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize(("args", "expected"), REFERENCE)
@pytest.mark.parametrize("regime", REGIMES)
def test_simulated_play_matches_closed_form(args, expected, regime):
    e, n, mu = args
    draws = 200_000
    got = racing.simulate(n, mu, e, regime, draws=draws, seed=7)
    want = expected[REGIMES.index(regime)]
    assert abs(got - want) <= 4 * math.sqrt(0.25 / draws)


def test_simulation_is_reproducible_with_a_seed():
    a = racing.simulate(3, 0.8, 0.6, "public", draws=50_000, seed=11)
    b = racing.simulate(3, 0.8, 0.6, "public", draws=50_000, seed=11)
    c = racing.simulate(3, 0.8, 0.6, "public", draws=50_000, seed=12)
    assert a == b
    assert a != c


def test_vectorised_over_mu_and_enmity():
    mu = np.array([0.5, 1.0, 2.0])
    e = np.array([[0.5], [1.0]])
    out = racing.disaster_probability(2, mu, e, "private")
    assert out.shape == (2, 3)
    for i, ei in enumerate(e[:, 0]):
        for j, mj in enumerate(mu):
            assert out[i, j] == pytest.approx(racing.disaster_probability(2, mj, ei, "private"))
    assert isinstance(racing.disaster_probability(2, 1.0, 1.0, "none"), float)


@pytest.mark.parametrize("bad", [0.0, -0.1, math.nan, math.inf])
def test_enmity_must_be_positive(bad):
    with pytest.raises(ValueError, match="enmity"):
        racing.disaster_probability(2, 1.0, bad, "private")


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="information regime"):
        racing.disaster_probability(2, 1.0, 0.5, "secret")
    with pytest.raises(ValueError, match="teams"):
        racing.disaster_probability(1, 1.0, 0.5, "none")
    with pytest.raises(ValueError, match="mu"):
        racing.disaster_probability(2, 0.0, 0.5, "none")


def test_equilibrium_safety_strategies():
    # none: common level mu/(e n); private: x/K; public: leader's gap/e.
    assert racing.equilibrium_safety(2, 0.5, 0.5, "none") == pytest.approx(0.5)
    assert racing.equilibrium_safety(3, 1.0, 0.5, "private", capability=1.0) == pytest.approx(0.5)
    profile = np.array([[0.9, 0.5, 0.7], [0.1, 0.95, 0.2]])
    np.testing.assert_allclose(
        racing.equilibrium_safety(3, 1.0, 0.5, "public", capability=profile), [0.4, 1.0]
    )
    # Without a capability: the winner's expected safety, 1 - P(disaster).
    for regime in REGIMES:
        assert racing.equilibrium_safety(2, 2.0, 1.0, regime) == pytest.approx(
            1 - racing.disaster_probability(2, 2.0, 1.0, regime)
        )
    with pytest.raises(ValueError, match="profile"):
        racing.equilibrium_safety(3, 1.0, 0.5, "public", capability=[0.1, 0.2])


# --- the paper's claims, as properties -------------------------------------------------


@SETTINGS
@given(n=teams, mu=mus, dmu=st.floats(0.0, 5.0), e=enmities)
def test_risk_falls_with_mu_in_every_regime(n, mu, dmu, e):
    for regime in REGIMES:
        lo = racing.disaster_probability(n, mu, e, regime)
        hi = racing.disaster_probability(n, mu + dmu, e, regime)
        assert hi <= lo + 1e-12


@SETTINGS
@given(n=teams, mu=mus, e=enmities, f=st.floats(0.0, 1.0))
def test_risk_rises_with_enmity_in_every_regime(n, mu, e, f):
    e2 = e + f * (1.0 - e)
    for regime in REGIMES:
        assert (
            racing.disaster_probability(n, mu, e2, regime)
            >= racing.disaster_probability(n, mu, e, regime) - 1e-12
        )


@SETTINGS
@given(n=teams, mu=mus, e=enmities)
def test_no_information_is_always_safest(n, mu, e):
    p_none = racing.disaster_probability(n, mu, e, "none")
    assert p_none <= racing.disaster_probability(n, mu, e, "private") + 1e-12
    assert p_none <= racing.disaster_probability(n, mu, e, "public") + 1e-12


@SETTINGS
@given(n=teams, mu=mus, e=enmities)
def test_more_teams_raise_risk_under_none_and_public(n, mu, e):
    for regime in ("none", "public"):
        assert (
            racing.disaster_probability(n + 1, mu, e, regime)
            >= racing.disaster_probability(n, mu, e, regime) - 1e-12
        )


@SETTINGS
@given(n=teams, mu=st.floats(0.01, 1.0))
def test_at_full_enmity_private_and_public_coincide_up_to_mu_one(n, mu):
    assert racing.disaster_probability(n, mu, 1.0, "private") == pytest.approx(
        racing.disaster_probability(n, mu, 1.0, "public"), abs=1e-12
    )


@SETTINGS
@given(n=teams, mu=st.floats(1.0, 10.0, exclude_min=True))
def test_at_full_enmity_private_is_safer_above_mu_one(n, mu):
    private = racing.disaster_probability(n, mu, 1.0, "private")
    public = racing.disaster_probability(n, mu, 1.0, "public")
    # The gap grows like (mu - 1)^(n + 1): below float resolution just above mu = 1, where the
    # two may differ by a rounding error either way (mu = 1 + 2e-16, n = 3: 0.75 against
    # 0.7499999999999999).
    assert private <= public + 1e-12
    if mu >= 1.25:
        assert private < public


@SETTINGS
@given(n=teams, e=st.floats(0.01, 0.99), f=st.floats(0.01, 1.0))
def test_public_is_safer_than_private_at_low_enmity_and_low_mu(n, e, f):
    mu = f * e  # mu <= e < 1
    assert racing.disaster_probability(n, mu, e, "public") < racing.disaster_probability(
        n, mu, e, "private"
    )


@SETTINGS
@given(n=teams, mu=mus, e=enmities, k=st.floats(0.1, 10.0))
def test_none_and_public_depend_only_on_n_and_mu_over_e(n, mu, e, k):
    # Rescale (mu, e) by k, keeping e in (0, 1].
    k = min(k, 1.0 / e)
    for regime in ("none", "public"):
        assert racing.disaster_probability(n, mu * k, e * k, regime) == pytest.approx(
            racing.disaster_probability(n, mu, e, regime), abs=1e-9
        )


def test_invariance_reference_case():
    # race-models.md: P_public(5, 0.5, 1) = P_public(5, 1, 2) (e = 2 extends the formula).
    assert racing.disaster_probability(5, 0.5, 1.0, "public") == pytest.approx(
        racing.disaster_probability(5, 1.0, 2.0, "public"), abs=1e-12
    )


@SETTINGS
@given(n=teams, mu=mus, e=enmities)
def test_probabilities_are_probabilities(n, mu, e):
    for regime in REGIMES:
        assert 0.0 <= racing.disaster_probability(n, mu, e, regime) <= 1.0


@pytest.mark.parametrize("n", [2, 3, 5, 10])
@pytest.mark.parametrize("ratio", [0.5, 1.0, 1.9, 2.1, 10.0, 1e3, 1e8, 1e12])
def test_public_regime_is_accurate_at_any_capability_enmity_ratio(n: int, ratio: float) -> None:
    """mu/e far above 1 used to cancel catastrophically (1e12 gave 6e-5 for 1e-12); the closed
    form is checked against exact rational arithmetic to 1e-12 relative."""
    from fractions import Fraction

    mu, e = Fraction(ratio) * Fraction(1, 4), Fraction(1, 4)
    exact = (
        1 - mu / (e * (n + 1))
        if mu < e
        else (mu - e) ** (n + 1) / (e * (n + 1) * mu**n) - mu / (e * (n + 1)) + 1
    )
    got = racing.disaster_probability(n, float(mu), float(e), "public")
    assert got == pytest.approx(float(exact), rel=1e-12, abs=0)
