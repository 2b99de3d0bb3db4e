"""DSAIR: the development race of Han, Pereira, Santos & Lenaerts (2020).

Han, T. A., Pereira, L. M., Santos, F. C. & Lenaerts, T. (2020). "To regulate or not:
a social dynamics analysis of an idealised AI race." Journal of Artificial Intelligence
Research 69, 881-921.

Two developers race over ``W`` rounds on average. A SAFE round costs ``c`` and advances
one step; an UNSAFE round costs nothing and advances ``speed`` (> 1) steps. The per-round
benefit ``b`` is split in proportion to speed and the prize ``B`` goes to the first to
finish. An UNSAFE player is found out with probability ``p_fo`` in a round (and then earns
nothing that round); with probability ``p_r`` an unsafe development ends in disaster,
wiping out its prize and gains. Strategies: AS (always safe), AU (always unsafe) and CS
(safe first, then copy the opponent's last move).

The *early* regime (``B/W`` much larger than ``b``: the prize dominates) and the *late*
regime (``W -> infinity``: the per-round gains dominate) have closed-form thresholds on
``p_r``; for finite ``B`` and ``W`` the thresholds are computed from the payoff matrix and
tend to the closed forms in the two limits. Pass ``B=math.inf`` for the early-regime limit
and ``W=math.inf`` for the late-regime limit.

The paper's Eq. 19 carries a typo; the late-regime thresholds here are derived from the
payoff matrix and agree with the paper's worked values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

STRATEGIES: tuple[str, ...] = ("AS", "AU", "CS")
ZONES: tuple[str, ...] = ("compliance", "dilemma", "innovation")

#: The model's arguments, in :func:`stationary_distribution`'s order (the keys of
#: :func:`stationary_distributions`' parameter arrays).
ARGS: tuple[str, ...] = ("b", "c", "speed", "p_fo", "p_r", "B", "W")


def _check(b: float, c: float, speed: float, p_fo: float, B: float, W: float) -> None:
    if not speed > 1:
        raise ValueError(f"speed must exceed 1 (UNSAFE is faster than SAFE), got {speed!r}")
    if not 0 <= p_fo <= 1:
        raise ValueError(f"p_fo must be a probability in [0, 1], got {p_fo!r}")
    if not b > 0 or not c >= 0:
        raise ValueError(
            f"benefit b must be positive and cost c non-negative, got b={b!r}, c={c!r}"
        )
    if not B >= 0:
        raise ValueError(f"prize B must be non-negative, got {B!r}")
    if not W >= speed:
        raise ValueError(f"W (rounds) must be at least speed, got W={W!r}, speed={speed!r}")


def _check_p(name: str, p: float) -> None:
    if not 0 <= p <= 1:
        raise ValueError(f"{name} must be a probability in [0, 1], got {p!r}")


def round_payoffs(
    b: float, c: float, speed: float, p_fo: float
) -> tuple[float, float, float, float]:
    """Per-round payoffs (pi11, pi12, pi21, pi22) of the row player; 1 = SAFE, 2 = UNSAFE."""
    pi11 = -c + b / 2
    pi12 = -c + (1 - p_fo) * b / (speed + 1) + p_fo * b
    pi21 = (1 - p_fo) * speed * b / (speed + 1)
    pi22 = (1 - p_fo**2) * b / 2
    return pi11, pi12, pi21, pi22


def payoffs(
    b: float, c: float, speed: float, p_fo: float, p_r: float, B: float, W: float
) -> np.ndarray:
    """Average per-round race payoffs (Han et al. 2020), a 3x3 array: row player's payoff
    against the column player, rows and columns in the order AS, AU, CS."""
    _check(b, c, speed, p_fo, B, W)
    _check_p("p_r", p_r)
    pi11, pi12, pi21, pi22 = round_payoffs(b, c, speed, p_fo)
    prize = B / W
    f = speed / W
    safe = prize / 2 + pi11
    cs_au = f * pi12 + (1 - f) * pi22
    return np.array(
        [
            [safe, pi12, safe],
            [
                (1 - p_r) * (speed * prize + pi21),
                (1 - p_r) * (speed * prize / 2 + pi22),
                (1 - p_r) * (speed * prize + f * pi21 + (1 - f) * pi22),
            ],
            [safe, cs_au, safe],
        ]
    )


def harmonic(N: int) -> float:
    """The N-th harmonic number."""
    return math.fsum(1.0 / k for k in range(1, N + 1))


def _early(speed: float, N: int) -> dict[str, float]:
    rd = 1 - 1 / (N * harmonic(N) * speed)
    return {"collective": 1 - 1 / speed, "as_risk_dominant": rd, "cs_risk_dominant": rd}


def _late(b: float, c: float, speed: float, p_fo: float) -> dict[str, float]:
    pi11, pi12, pi21, pi22 = round_payoffs(b, c, speed, p_fo)
    if pi22 <= 0:
        raise ValueError("late-regime thresholds need p_fo < 1 (UNSAFE must earn something)")
    return {
        "collective": 1 - pi11 / pi22,
        "as_risk_dominant": 1 - (pi11 + pi12) / (pi21 + pi22),
        "cs_risk_dominant": 1 - (pi11 + pi22) / (2 * pi22),
    }


def _finite(b: float, c: float, speed: float, p_fo: float, B: float, W: float) -> dict[str, float]:
    # Each threshold solves  safe_side = (1 - p_r) * unsafe_side  for p_r.
    m0 = payoffs(b, c, speed, p_fo, 0.0, B, W)  # AU rows at p_r = 0
    return {
        "collective": float(1 - m0[0, 0] / m0[1, 1]),
        "as_risk_dominant": float(1 - (m0[0, 0] + m0[0, 1]) / (m0[1, 0] + m0[1, 1])),
        "cs_risk_dominant": float(1 - (m0[2, 2] + m0[2, 1]) / (m0[1, 2] + m0[1, 1])),
    }


def thresholds(
    b: float, c: float, speed: float, p_fo: float, B: float, W: float, N: int = 2
) -> dict[str, float]:
    """Values of ``p_r`` above which safety wins (Han et al. 2020).

    Keys: ``"collective"`` (all-SAFE pays more than all-UNSAFE), ``"as_risk_dominant"``
    and ``"cs_risk_dominant"`` (AS, resp. CS, risk-dominant over AU).

    * ``B = inf`` — early regime (``B/W`` much larger than ``b``): ``1 - 1/speed`` and
      ``1 - 1/(N H_N speed)``, ``H_N`` the N-th harmonic number (``N = 2``: ``1 - 1/(3 speed)``).
    * ``W = inf`` — late regime: ``1 - (b - 2c)/(b (1 - p_fo^2))`` (collective) and
      ``1/2 - (b - 2c)/(2 b (1 - p_fo^2))`` (CS); AS from the same payoff comparison.
    * finite ``B`` and ``W`` — solved from the two-player payoff matrix (``N = 2`` only).

    Values may fall outside [0, 1]: below 0 safety wins at any risk, above 1 at none.
    """
    if isinstance(N, bool) or int(N) != N or N < 2:
        raise ValueError(f"N (number of players) must be an integer of at least 2, got {N!r}")
    if math.isinf(B) and math.isinf(W):
        raise ValueError("B and W cannot both be infinite: choose the early (B) or late (W) limit")
    if math.isinf(B):
        _check(b, c, speed, p_fo, 0.0, max(speed, 1.0))
        return _early(speed, int(N))
    _check(b, c, speed, p_fo, B, W)
    if int(N) != 2:
        raise ValueError(
            "thresholds for N > 2 players are available in the early regime only (B=inf)"
        )
    if math.isinf(W):
        return _late(b, c, speed, p_fo)
    return _finite(b, c, speed, p_fo, B, W)


def regime_thresholds(regime: str, b, c, speed, p_fo, N: int = 2):
    """Vectorised ``(collective, risk_dominant)`` thresholds on ``p_r`` in one regime.

    ``"early"``: ``1 - 1/speed`` and ``1 - 1/(N H_N speed)``. ``"late"`` (two players):
    ``1 - (b - 2c)/(b (1 - p_fo^2))`` and ``1/2 - (b - 2c)/(2 b (1 - p_fo^2))`` (CS over AU).
    Arguments broadcast as numpy arrays; used to classify many sampled scenarios at once.
    """
    speed = np.asarray(speed, dtype=float)
    if regime == "early":
        return 1 - 1 / speed, 1 - 1 / (int(N) * harmonic(int(N)) * speed)
    if regime == "late":
        if int(N) != 2:
            raise ValueError("late-regime thresholds are for two players only")
        b, c, p_fo = (np.asarray(v, dtype=float) for v in (b, c, p_fo))
        pi11 = -c + b / 2
        pi22 = (1 - p_fo**2) * b / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            collective = 1 - pi11 / pi22
            return collective, 0.5 * collective
    raise ValueError(f"regime must be 'early' or 'late', got {regime!r}")


def classify(p_r, collective, risk_dominant):
    """Zone for a disaster probability ``p_r`` given the two thresholds (vectorised).

    ``"innovation"`` below the collective threshold (unsafe development is collectively
    better), ``"compliance"`` above both (safety is collectively better and risk-dominant),
    ``"dilemma"`` in between (safety is collectively better, but not individually).
    """
    p = np.asarray(p_r, dtype=float)
    out = np.where(
        p < collective,
        "innovation",
        np.where(p > np.maximum(risk_dominant, collective), "compliance", "dilemma"),
    )
    return str(out) if out.ndim == 0 else out


def zone(p_r, speed, N: int = 2):
    """The early-regime zone of Han et al. (2020): ``"compliance"`` above
    ``1 - 1/(N H_N speed)``, ``"innovation"`` below ``1 - 1/speed``, ``"dilemma"`` between.
    Vectorised over ``p_r`` and ``speed``; a str for scalar inputs."""
    s = np.asarray(speed, dtype=float)
    if np.any(~(s > 1)):
        raise ValueError(f"speed must exceed 1, got {speed!r}")
    if np.any((np.asarray(p_r) < 0) | (np.asarray(p_r) > 1)):
        raise ValueError(f"p_r must be a probability in [0, 1], got {p_r!r}")
    if isinstance(N, bool) or int(N) != N or N < 2:
        raise ValueError(f"N (number of players) must be an integer of at least 2, got {N!r}")
    return classify(p_r, 1 - 1 / s, 1 - 1 / (int(N) * harmonic(int(N)) * s))


def _logsumexp(x: np.ndarray) -> float:
    """log(sum(exp(x))) without overflow or underflow; ``-inf`` for an empty or all ``-inf``
    input."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return -math.inf
    top = float(np.max(x))
    if top == -math.inf:
        return -math.inf
    return top + math.log(math.fsum(np.exp(x - top)))


def _check_population(Z: int, beta: float) -> None:
    if isinstance(Z, bool) or int(Z) != Z or Z < 2:
        raise ValueError(f"population size Z must be an integer of at least 2, got {Z!r}")
    if not 0 <= beta < math.inf:
        raise ValueError(f"selection intensity beta must be non-negative and finite, got {beta!r}")


def _payoff_matrix(payoff: np.ndarray) -> np.ndarray:
    m = np.asarray(payoff, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] < 1:
        raise ValueError(f"payoff must be a square matrix, got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        raise ValueError("payoff entries must be finite numbers")
    return m


def _log_rho(m_aa, m_ab, m_ba, m_bb, Z: int, beta: float) -> np.ndarray:
    """log rho = -log(1 + sum_{i<Z} prod_{j<=i} exp(-beta (P_A(j) - P_B(j)))) for a mutant
    ``a`` in a population of ``b``, broadcast over arrays of the four payoffs ``M[a,a]``,
    ``M[a,b]``, ``M[b,a]`` and ``M[b,b]``."""
    j = np.arange(1, Z, dtype=float).reshape((-1,) + (1,) * np.ndim(m_aa))
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is caught below
        pa = ((j - 1) * m_aa + (Z - j) * m_ab) / (Z - 1)
        pb = (j * m_ba + (Z - j - 1) * m_bb) / (Z - 1)
        log_terms = np.cumsum(-beta * (pa - pb), axis=0)  # log prod_{j<=i}, i = 1..Z-1
    if not np.all(np.isfinite(log_terms)):
        raise ValueError(
            "payoff differences times beta overflow: selection too strong to represent"
        )
    top = log_terms.max(axis=0)
    log_sum = top + np.log(np.sum(np.exp(log_terms - top), axis=0))
    return -np.logaddexp(0.0, log_sum)


def log_fixation_probability(
    payoff: np.ndarray, a: int, b: int, Z: int = 100, beta: float = 0.1
) -> float:
    """Natural log of :func:`fixation_probability`, finite even where the probability itself
    underflows to zero (strong selection against the mutant)."""
    _check_population(Z, beta)
    m = _payoff_matrix(payoff)
    return float(_log_rho(m[a, a], m[a, b], m[b, a], m[b, b], int(Z), float(beta)))


def fixation_probability(
    payoff: np.ndarray, a: int, b: int, Z: int = 100, beta: float = 0.1
) -> float:
    """Probability that one mutant playing strategy ``a`` takes over a population of ``Z``
    playing ``b`` under pairwise-comparison (Fermi) imitation with intensity ``beta``.

    With ``j`` players of ``a``: ``P_A(j) = ((j-1) M[a,a] + (Z-j) M[a,b]) / (Z-1)`` and
    ``P_B(j) = (j M[b,a] + (Z-j-1) M[b,b]) / (Z-1)`` (Traulsen, Nowak & Pacheco 2006).
    """
    return math.exp(log_fixation_probability(payoff, a, b, Z, beta))


def log_transition_rates(payoff: np.ndarray, Z: int = 100, beta: float = 0.1) -> np.ndarray:
    """Logs of the transition rates of the embedded chain over monomorphic states:
    entry ``[i, j]`` is ``log(rho_ji / (S - 1))``, the chance that a mutant ``j`` arises in an
    all-``i`` population and takes it over; the diagonal is ``-inf`` (never used)."""
    _check_population(Z, beta)
    m = _payoff_matrix(payoff)
    s = m.shape[0]
    if s == 1:
        return np.full((1, 1), -math.inf)
    d = np.diag(m)
    # log_rho[a, b]: mutant a in a population of b, all pairs at once.
    return _rates_from_log_rho(_log_rho(d[:, None], m, m.T, d[None, :], int(Z), float(beta)))


def _rates_from_log_rho(log_rho: np.ndarray) -> np.ndarray:
    """Log transition rates ``log(rho_ji / (S - 1))`` from ``log_rho[a, b]`` (mutant ``a`` in a
    population of ``b``); the diagonal is ``-inf``."""
    out = log_rho.T - math.log(log_rho.shape[0] - 1)
    np.fill_diagonal(out, -math.inf)
    return out


def _tree_three(log_q: np.ndarray) -> np.ndarray:
    """Markov chain tree theorem for three states, in logs: the weight of state ``i`` sums,
    over the three spanning trees directed into ``i``, the product of their edge rates."""
    log_w = np.empty(3)
    for i in range(3):
        j, k = (x for x in range(3) if x != i)
        log_w[i] = _logsumexp(
            np.array(
                [
                    log_q[j, i] + log_q[k, i],  # j -> i, k -> i
                    log_q[j, k] + log_q[k, i],  # j -> k -> i
                    log_q[k, j] + log_q[j, i],  # k -> j -> i
                ]
            )
        )
    return log_w


def _gth(log_q: np.ndarray) -> np.ndarray:
    """Grassmann-Taksar-Heyman state reduction in logs: unnormalised log stationary weights
    from the off-diagonal rates alone. Every step adds or divides positive numbers, so there
    is no cancellation, and working in logs rules out underflow."""
    a = np.array(log_q, dtype=float)
    s = a.shape[0]
    np.fill_diagonal(a, -math.inf)
    for n in range(s - 1, 0, -1):
        # Censor state n: rates through n are redistributed over the states below it.
        a[:n, n] -= _logsumexp(a[n, :n])
        a[:n, :n] = np.logaddexp(a[:n, :n], a[:n, n, None] + a[None, n, :n])
        np.fill_diagonal(a, -math.inf)
    log_w = np.zeros(s)
    for n in range(1, s):
        log_w[n] = _logsumexp(log_w[:n] + a[:n, n])
    return log_w


def log_stationary(payoff: np.ndarray, Z: int = 100, beta: float = 0.1) -> np.ndarray:
    """Natural logs of the stationary distribution over the monomorphic states (any number
    of strategies), finite even for shares far below the smallest double."""
    return _log_stationary_from_rates(log_transition_rates(payoff, Z, beta))


def _log_stationary_from_rates(log_q: np.ndarray) -> np.ndarray:
    log_w = _tree_three(log_q) if log_q.shape[0] == 3 else _gth(log_q)
    return log_w - _logsumexp(log_w)


def stationary_from_payoffs(
    payoff: np.ndarray, Z: int = 100, beta: float = 0.1
) -> dict[str, float]:
    """Stationary distribution over the monomorphic states in the small-mutation limit:
    transitions ``i -> j`` at rate ``rho_ji / (S - 1)`` (Fudenberg & Imhof 2006).

    Solved from the rates alone, in logs (the Markov chain tree theorem for three strategies,
    GTH state reduction otherwise) and never from ``1 - sum(rates)``, which rounds to 1 when
    the fixation probabilities are tiny. Keys are the first ``S`` of :data:`STRATEGIES`.
    """
    m = _payoff_matrix(payoff)
    if m.shape[0] > len(STRATEGIES):
        raise ValueError(
            f"stationary_from_payoffs names at most {len(STRATEGIES)} strategies; "
            "use log_stationary for larger games"
        )
    pi = _shares(log_transition_rates(m, Z, beta))
    return dict(zip(STRATEGIES[: m.shape[0]], (float(v) for v in pi), strict=True))


def _shares(log_q: np.ndarray) -> np.ndarray:
    """The stationary distribution from the log transition rates, summing to 1."""
    pi = np.exp(_log_stationary_from_rates(log_q))
    pi /= math.fsum(pi)
    return pi


def stationary_distribution(
    b: float,
    c: float,
    speed: float,
    p_fo: float,
    p_r: float,
    B: float,
    W: float,
    Z: int = 100,
    beta: float = 0.1,
) -> dict[str, float]:
    """Long-run share of time a population of ``Z`` developers spends in each of the
    states all-AS, all-AU and all-CS (Han et al. 2020): Fermi imitation with intensity
    ``beta`` and rare mutations. Returns ``{"AS": ..., "AU": ..., "CS": ...}`` summing to 1."""
    return stationary_from_payoffs(payoffs(b, c, speed, p_fo, p_r, B, W), Z, beta)


def stationary_distributions(
    params: Mapping[str, np.ndarray], Z: int = 100, beta: float = 0.1, chunk: int = 2048
) -> np.ndarray:
    """:func:`stationary_distribution` for many parameter sets at once: ``params`` maps each of
    ``b, c, speed, p_fo, p_r, B, W`` to an array (one value per set); returns an ``(n, 3)``
    array of the shares of AS, AU and CS. The fixation probabilities of all sets are computed
    as arrays, ``chunk`` sets at a time; every number is the one the one-set function gives,
    bit for bit (tests/test_models_dsair.py)."""
    _check_population(Z, beta)
    n = len(params["p_r"])
    out = np.empty((n, 3))
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        m = np.stack(
            [payoffs(*(float(params[k][i]) for k in ARGS)) for i in range(start, stop)]
        ).reshape(-1, 3, 3)
        d = np.diagonal(m, axis1=1, axis2=2)
        # log_rho[r, a, b]: mutant a in a population of b, for every set r at once
        log_rho = _log_rho(
            d[:, :, None], m, np.swapaxes(m, 1, 2), d[:, None, :], int(Z), float(beta)
        )
        for r in range(stop - start):
            out[start + r] = _shares(_rates_from_log_rho(log_rho[r]))
    return out
