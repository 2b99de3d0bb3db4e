"""Racing to the precipice: the Armstrong-Bostrom-Shulman model of an AI development race.

Armstrong, S., Bostrom, N. & Shulman, C. (2016). "Racing to the precipice: a model of
artificial intelligence development." AI & Society 31(2), 201-206 (FHI technical report
2013-1).

``n`` teams race to build the first AI. Team *i*'s capability ``c_i`` is drawn uniformly
from ``[0, mu]``; it chooses a safety level ``safety_i`` in ``[0, 1]`` and scores
``c_i - safety_i``. The highest score builds first; its AI is safe with probability equal
to its safety level and a disaster otherwise. A team values its own safe AI at 1, another
team's safe AI at ``1 - enmity`` and a disaster at 0.

Three information regimes give three symmetric Nash equilibria:

* ``"none"`` — nobody knows any capability: every team plays ``min(1, mu / (e n))``.
* ``"private"`` — each team knows only its own capability ``x``: it plays ``min(1, x / K)``
  with ``K = e (n - 1) + 1``.
* ``"public"`` — all capabilities are known: only the top two matter. With gap ``D``
  between the leader and the runner-up, the leader plays ``min(1, D / e)``, the most
  safety it can afford without the runner-up preferring to overtake; the others cannot
  profitably win and may play anything that does not overtake (here: full safety).

The paper takes ``0 < e <= 1``. As ``e`` falls to zero the private regime does not
approach zero risk (``K -> 1``) while the other two regimes divide by ``e``; the functions
therefore refuse ``e <= 0`` with a ``ValueError``. Values above 1 (a rival's safe AI worse
than a disaster) lie outside the paper's range; the closed forms still evaluate there, which
is how the ``(n, mu/e)`` invariance is usually stated (``P_public(5, 0.5, 1) =
P_public(5, 1, 2)``), but the scenario file only admits ``0 < e <= 1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

INFORMATION_REGIMES: tuple[str, ...] = ("none", "private", "public")

#: Largest block of simulated races held in memory at once.
_CHUNK = 1 << 16


def _check(n: int, mu, enmity, information: str) -> tuple[np.ndarray, np.ndarray]:
    if information not in _DISASTER:
        raise ValueError(
            f"information regime must be one of {', '.join(INFORMATION_REGIMES)}; "
            f"got {information!r}"
        )
    if isinstance(n, bool) or int(n) != n or n < 2:
        raise ValueError(f"number of teams n must be an integer of at least 2, got {n!r}")
    mu_a = np.asarray(mu, dtype=float)
    e_a = np.asarray(enmity, dtype=float)
    if np.any(~np.isfinite(mu_a)) or np.any(mu_a <= 0):
        raise ValueError(f"mu (capability weight) must be a positive finite number, got {mu!r}")
    if np.any(~np.isfinite(e_a)) or np.any(e_a <= 0):
        raise ValueError(
            "enmity e must be a positive finite number (the model divides by e, and as "
            f"e -> 0 the private regime's risk does not vanish), got {enmity!r}"
        )
    return np.broadcast_arrays(mu_a, e_a)


def _out(x: np.ndarray) -> float | np.ndarray:
    return float(x) if np.ndim(x) == 0 else x


def _p_none(n: int, mu: np.ndarray, e: np.ndarray) -> np.ndarray:
    """No information: P = 1 - mu/(e n) if mu < e n, else 0."""
    return np.clip(1.0 - mu / (e * n), 0.0, 1.0)


def _p_private(n: int, mu: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Private information: P = 1 - n mu/((n+1) K) if mu < K, else K^n/((n+1) mu^n)."""
    k = e * (n - 1) + 1.0
    low = 1.0 - n * mu / ((n + 1) * k)
    # (K/mu)^n rather than K^n/mu^n: no overflow for large n.
    high = np.power(np.minimum(k / mu, 1.0), n) / (n + 1)
    return np.where(mu < k, low, high)


def _p_public(n: int, mu: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Public information: P = 1 - mu/(e(n+1)) if mu < e, else
    (mu - e)^(n+1)/(e (n+1) mu^n) - mu/(e(n+1)) + 1.

    For mu >= e, with x = e/mu, the second form is [(1 - x)^(n+1) - 1 + (n+1) x] / ((n+1) x):
    a difference of nearly equal terms when x is small (a high capability weight against a low
    enmity). There it is evaluated as its binomial series, sum over k = 2..n+1 of
    C(n+1, k) (-x)^k / ((n+1) x), which has no cancellation for x < 1/2."""
    base = 1.0 - mu / (e * (n + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.where(mu >= e, e / np.where(mu > 0, mu, 1.0), 1.0)
    closed = (np.power(1.0 - x, n + 1) - 1.0 + (n + 1) * x) / ((n + 1) * x)
    series = sum((-1) ** k * math.comb(n + 1, k) * x ** (k - 1) for k in range(2, n + 2)) / (n + 1)
    high = np.where(x < 0.5, series, closed)
    return np.where(mu < e, base, np.clip(high, 0.0, 1.0))


_DISASTER: dict[str, Callable[[int, np.ndarray, np.ndarray], np.ndarray]] = {
    "none": _p_none,
    "private": _p_private,
    "public": _p_public,
}


def disaster_probability(n: int, mu, enmity, information: str) -> float | np.ndarray:
    """Probability that the first AI is a disaster in the symmetric Nash equilibrium.

    Closed forms of Armstrong, Bostrom & Shulman (2016), vectorised over numpy arrays for
    ``mu`` and ``enmity`` (broadcast against each other). ``information`` is ``"none"``,
    ``"private"`` or ``"public"``. Returns a float for scalar inputs.
    """
    mu_a, e_a = _check(n, mu, enmity, information)
    return _out(_DISASTER[information](int(n), mu_a, e_a))


def equilibrium_safety(n: int, mu, enmity, information: str, capability=None):
    """Equilibrium safety level (Armstrong, Bostrom & Shulman 2016).

    * ``capability=None``: the expected safety level of the team that builds first,
      ``1 - disaster_probability(...)``, in every regime.
    * ``"none"``: the common safety level ``min(1, mu / (e n))``; ``capability`` is ignored.
    * ``"private"``: ``capability`` is a team's own capability (array-like); the result is
      its safety level ``min(1, capability / K)``, ``K = e (n - 1) + 1``.
    * ``"public"``: ``capability`` is a full capability profile, an array whose last axis
      has length ``n``; the result is the leader's safety ``min(1, gap / e)``, where
      ``gap`` is the difference between the two highest capabilities.
    """
    mu_a, e_a = _check(n, mu, enmity, information)
    n = int(n)
    if capability is None:
        return _out(1.0 - _DISASTER[information](n, mu_a, e_a))
    return _out(_SAFETY[information](n, mu_a, e_a, np.asarray(capability, dtype=float)))


def _safety_none(n, mu, e, capability):
    return np.minimum(1.0, mu / (e * n))


def _safety_private(n, mu, e, capability):
    if np.any(capability < 0):
        raise ValueError("capabilities must be non-negative")
    return np.minimum(1.0, capability / (e * (n - 1) + 1.0))


def _safety_public(n, mu, e, capability):
    if capability.ndim == 0 or capability.shape[-1] != n:
        raise ValueError(
            f"under public information, capability must be the profile of all {n} teams "
            f"(last axis of length {n}), got shape {capability.shape}"
        )
    top2 = np.sort(capability, axis=-1)[..., -2:]
    gap = top2[..., 1] - top2[..., 0]
    return np.minimum(1.0, gap / e)


_SAFETY = {"none": _safety_none, "private": _safety_private, "public": _safety_public}


def _play(n: int, mu: float, e: float, information: str, caps: np.ndarray) -> np.ndarray:
    """Safety of the winner of each simulated race, given capabilities (rows = races).

    Every team plays its equilibrium strategy; the winner is the highest score
    ``capability - safety``, so a mistake in the strategies shows up as a wrong winner.
    """
    rows = np.arange(caps.shape[0])
    if information == "none":
        safety = np.full_like(caps, min(1.0, mu / (e * n)))
    elif information == "private":
        safety = np.minimum(1.0, caps / (e * (n - 1) + 1.0))
    else:  # public: the leader plays min(1, gap/e); the others play full safety
        order = np.argsort(caps, axis=1)
        leader, second = order[:, -1], order[:, -2]
        gap = caps[rows, leader] - caps[rows, second]
        safety = np.ones_like(caps)
        safety[rows, leader] = np.minimum(1.0, gap / e)
    winner = np.argmax(caps - safety, axis=1)
    return safety[rows, winner]


def simulate(n: int, mu: float, enmity: float, information: str, draws: int, seed: int) -> float:
    """Monte Carlo estimate of the disaster probability by playing the race.

    Draws ``draws`` races: capabilities uniform on ``[0, mu]``, every team plays its
    equilibrium strategy (Armstrong, Bostrom & Shulman 2016), the highest score builds
    first and its AI is a disaster with probability one minus its safety level. Returns
    the share of races that end in disaster — a check on :func:`disaster_probability`;
    its standard error is at most ``sqrt(0.25 / draws)``. Seeded and chunked, so memory
    stays bounded for any number of draws.
    """
    mu_a, e_a = _check(n, mu, enmity, information)
    if mu_a.ndim or e_a.ndim:
        raise ValueError("simulate takes scalar mu and enmity")
    if int(draws) != draws or draws < 1:
        raise ValueError(f"draws must be a positive integer, got {draws!r}")
    n, draws = int(n), int(draws)
    rng = np.random.default_rng(seed)
    disasters = 0
    for start in range(0, draws, _CHUNK):
        size = min(_CHUNK, draws - start)
        caps = rng.uniform(0.0, float(mu_a), size=(size, n))
        safety = _play(n, float(mu_a), float(e_a), information, caps)
        disasters += int(np.count_nonzero(rng.random(size) >= safety))
    return disasters / draws
