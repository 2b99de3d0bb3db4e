"""The settings blocks of the built-in sections in a params file (``risk:``, ``scenarios:``,
``implications:``): one strict model each, composed into the params schema by
:mod:`riskbrief.sections`."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from riskbrief.params import Name, Strict


class RiskSettings(Strict):
    """Settings of the risk-summary section."""

    draws: int = Field(40_000, ge=100, le=1_000_000, description="Monte Carlo draws per risk")
    top_n: int = Field(10, ge=1, le=100, description="rows in the ranked table of top risks")
    scenario: Name | None = Field(
        None,
        description="score the register under this scenario's risk_shifts (data/scenarios.yaml);"
        " none: the register as it stands",
    )


class ImplicationsSettings(Strict):
    """Settings of the implications section (options and signposts)."""

    scenario: Name = Field("arms-race", description="the scenario options are evaluated in")
    disclosure_scenario: Name = Field(
        "safety-race", description="the scenario whose disclosure threshold negotiators are given"
    )
    draws: int = Field(
        50_000, ge=1_000, le=2_000_000, description="Monte Carlo draws per option's effect"
    )


class SobolSettings(Strict):
    """Global sensitivity (Sobol indices) in the scenarios section: ``samples`` base samples
    give ``samples * (D + 2)`` model evaluations per scenario and output (D parameters). The
    default keeps a build on one machine fast; 65536 is a sweep for a cluster (docs/scaling.md)."""

    samples: int = Field(
        512, ge=16, le=1 << 20, description="base samples N of the Sobol design, a power of two"
    )
    bootstrap: int = Field(
        200, ge=20, le=10_000, description="bootstrap resamples for the confidence intervals"
    )

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, v: int) -> int:
        if v & (v - 1):
            lower = 1 << (v.bit_length() - 1)
            raise ValueError(
                f"must be a power of two (a Sobol' sequence is balanced only at powers of two), "
                f"got {v}: use {lower} or {lower * 2}"
            )
        return v


class ScenarioSettings(Strict):
    """Settings of the scenarios section."""

    shown: list[Name] = Field(
        default_factory=lambda: ["arms-race", "managed-competition", "safety-race"],
        min_length=1,
        description="scenarios of data/scenarios.yaml to show, in this order",
    )
    focus: Name = Field("arms-race", description="the scenario the tornado chart is centred on")
    horizon_years: int = Field(30, ge=1, le=200, description="years of Richardson trajectories")
    draws: int = Field(
        200_000, ge=1_000, le=5_000_000, description="Monte Carlo draws per scenario"
    )
    sobol: SobolSettings = Field(
        default_factory=SobolSettings, description="global sensitivity (Sobol indices)"
    )

    @model_validator(mode="after")
    def _focus_shown(self) -> ScenarioSettings:
        if len(set(self.shown)) != len(self.shown):
            raise ValueError("'shown' lists a scenario twice")
        if self.focus not in self.shown:
            raise ValueError(f"focus '{self.focus}' is not among the scenarios shown {self.shown}")
        return self
