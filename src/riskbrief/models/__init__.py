"""The published race models behind the scenario section, and a registry describing them.

* :mod:`riskbrief.models.racing` — Armstrong, Bostrom & Shulman (2016), "Racing to the
  precipice": how enmity, the weight of capability and information drive risk-taking.
* :mod:`riskbrief.models.dsair` — Han, Pereira, Santos & Lenaerts (2020), "To regulate
  or not": when safe development is collectively better and when it is self-enforcing.
* :mod:`riskbrief.models.richardson` — Richardson (1960), *Arms and Insecurity*: whether
  mutual fear settles at a stable level or runs away.

The registry (:data:`MODELS`) says, for each model, where its parameters sit in
``data/scenarios.yaml``, what values they may take and which paper to cite (in full in the
reference list, short in source lines). The scenario
loader validates against it and the Monte Carlo samples from it, so adding a model means
registering it here, not editing if/elif chains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from riskbrief.models import dsair, racing, richardson


@dataclass(frozen=True)
class Parameter:
    """One numeric model parameter as the scenario file holds it.

    ``path`` is its location under the model's block (``("us", "fear")`` for Richardson's
    ``a``); ``lower``/``upper`` bound every value (``lower_open``: strictly above ``lower``);
    ``integer`` parameters are sampled as rounded draws.
    """

    name: str
    path: tuple[str, ...]
    label: str
    lower: float = -math.inf
    upper: float = math.inf
    lower_open: bool = False
    integer: bool = False

    def problem(self, value: float) -> str | None:
        """What is wrong with ``value``, or None if it is allowed."""
        if self.integer and value != int(value):
            return f"must be a whole number, got {value!r}"
        if self.lower_open and not value > self.lower:
            return f"must be greater than {self.lower:g}, got {value!r}"
        if not self.lower_open and value < self.lower:
            return f"must be at least {self.lower:g}, got {value!r}"
        if value > self.upper:
            return f"must be at most {self.upper:g}, got {value!r}"
        return None

    @property
    def bounds_text(self) -> str:
        lo = "(" if self.lower_open else "["
        return f"{lo}{self.lower:g}, {self.upper:g}]"


@dataclass(frozen=True)
class Choice:
    """A categorical model setting (e.g. the information regime): one of ``options``."""

    name: str
    path: tuple[str, ...]
    label: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class RaceModel:
    """A registered model: its key in the scenario file, citation and parameters."""

    key: str
    title: str
    citation: str
    #: how source lines name the paper: "Authors (year), Short title"
    short_cite: str
    parameters: tuple[Parameter, ...]
    choices: tuple[Choice, ...] = field(default_factory=tuple)

    @property
    def reference_key(self) -> str:
        """The key of the model's paper in the briefing's reference list."""
        return f"model-{self.key}"


MODELS: dict[str, RaceModel] = {}


def register(model: RaceModel) -> RaceModel:
    """Add a model to the registry (its key must be new)."""
    if model.key in MODELS:
        raise ValueError(f"a model named {model.key!r} is already registered")
    MODELS[model.key] = model
    return model


def get_model(key: str) -> RaceModel:
    try:
        return MODELS[key]
    except KeyError:
        raise KeyError(f"unknown model {key!r}; registered: {', '.join(MODELS)}") from None


register(
    RaceModel(
        key="racing",
        title="Racing to the precipice",
        citation=(
            "Armstrong, S., Bostrom, N. & Shulman, C. (2016). Racing to the precipice: a model "
            "of artificial intelligence development. AI & Society 31(2), 201\u2013206."
        ),
        short_cite="Armstrong, Bostrom & Shulman (2016), Racing to the precipice",
        parameters=(
            Parameter("n", ("n",), "number of teams", lower=2, integer=True),
            Parameter("mu", ("mu",), "capability weight (mu)", lower=0, lower_open=True),
            Parameter("enmity", ("enmity",), "enmity (e)", lower=0, upper=1, lower_open=True),
        ),
        choices=(
            Choice(
                "information", ("information",), "information regime", racing.INFORMATION_REGIMES
            ),
        ),
    )
)

register(
    RaceModel(
        key="dsair",
        title="DSAIR development race",
        citation=(
            "Han, T. A., Pereira, L. M., Santos, F. C. & Lenaerts, T. (2020). To regulate or "
            "not: a social dynamics analysis of an idealised AI race. Journal of Artificial "
            "Intelligence Research 69, 881\u2013921."
        ),
        short_cite="Han, Pereira, Santos & Lenaerts (2020), To regulate or not",
        parameters=(
            Parameter(
                "speed",
                ("speed",),
                "speed advantage of unsafe development",
                lower=1,
                lower_open=True,
            ),
            Parameter(
                "p_fo", ("p_fo",), "chance unsafe development is found out (p_fo)", lower=0, upper=1
            ),
            Parameter(
                "p_r",
                ("p_r",),
                "chance unsafe development ends in disaster (p_r)",
                lower=0,
                upper=1,
            ),
            Parameter("b", ("b",), "per-round benefit (b)", lower=0, lower_open=True),
            Parameter("c", ("c",), "per-round cost of safety (c)", lower=0),
            Parameter("B", ("B",), "prize for finishing first (B)", lower=0),
            Parameter("W", ("W",), "rounds in the race (W)", lower=1, lower_open=True),
        ),
        choices=(Choice("regime", ("regime",), "race regime", ("early", "late")),),
    )
)

register(
    RaceModel(
        key="richardson",
        title="Richardson arms race",
        citation=(
            "Richardson, L. F. (1960). Arms and Insecurity: A Mathematical Study of the Causes "
            "and Origins of War. Pittsburgh: Boxwood Press."
        ),
        short_cite="Richardson (1960), Arms and Insecurity",
        parameters=(
            Parameter("a", ("us", "fear"), "US fear of China's stock (a)", lower=0),
            Parameter("m", ("us", "restraint"), "US restraint (m)", lower=0),
            Parameter("g", ("us", "grievance"), "US grievance (g)"),
            Parameter("x0", ("us", "initial"), "US initial stock", lower=0),
            Parameter("b", ("china", "fear"), "China's fear of the US stock (b)", lower=0),
            Parameter("n", ("china", "restraint"), "China's restraint (n)", lower=0),
            Parameter("h", ("china", "grievance"), "China's grievance (h)"),
            Parameter("y0", ("china", "initial"), "China's initial stock", lower=0),
        ),
    )
)

__all__ = [
    "MODELS",
    "Choice",
    "Parameter",
    "RaceModel",
    "dsair",
    "get_model",
    "racing",
    "register",
    "richardson",
]
