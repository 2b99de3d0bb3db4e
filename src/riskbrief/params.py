"""The briefing parameters: one typed schema for every ``params/<name>.yaml``.

Everything is checked before any kernel starts: unknown keys, wrong types (strict: a seed
written as a string is an error, not coerced), out-of-range numbers, unknown sections and
missing data files. Every error names the file and the field.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from riskbrief import paths
from riskbrief.errors import InputError, InputErrors

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


def _iso_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date written as YYYY-MM-DD, got {value!r}")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
SectionName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class RiskSettings(_Strict):
    """Settings of the risk-summary section."""

    draws: int = Field(10_000, ge=100, le=1_000_000, description="Monte Carlo draws per risk")
    top_n: int = Field(10, ge=1, le=100, description="rows in the ranked table of top risks")


class ScenarioSettings(_Strict):
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

    @model_validator(mode="after")
    def _focus_shown(self) -> ScenarioSettings:
        if len(set(self.shown)) != len(self.shown):
            raise ValueError("'shown' lists a scenario twice")
        if self.focus not in self.shown:
            raise ValueError(f"focus '{self.focus}' is not among the scenarios shown {self.shown}")
        return self


class DataPaths(_Strict):
    """Data files, relative to the project root unless absolute."""

    risk_register: str = "data/risk_register.csv"
    urgency: str = "data/article_urgency.csv"
    indicators: str = "data/indicators.csv"
    scenarios: str = "data/scenarios.yaml"


class ExecutionSettings(_Strict):
    cell_timeout: int = Field(600, ge=1, le=86_400, description="seconds a notebook cell may run")


class BriefingParams(_Strict):
    """One briefing variant."""

    title: NonEmpty
    subtitle: str = Field("", max_length=300)
    as_of: IsoDate
    audience: NonEmpty
    classification: Literal["PUBLIC", "INTERNAL", "DRAFT"]
    issued_by: NonEmpty = "riskbrief analysis team"
    sections: list[SectionName] = Field(min_length=1)
    seed: int = Field(ge=0, le=2**32 - 1)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    scenarios: ScenarioSettings = Field(default_factory=ScenarioSettings)
    data: DataPaths = Field(default_factory=DataPaths)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)

    @model_validator(mode="after")
    def _sections_unique(self) -> BriefingParams:
        if len(set(self.sections)) != len(self.sections):
            raise ValueError("'sections' lists a section twice")
        return self


class Briefing(BaseModel):
    """A validated params file: its name (the file's stem), path and parameters."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    path: Path
    params: BriefingParams

    def data_path(self, key: str) -> Path:
        p = Path(getattr(self.params.data, key))
        return p if p.is_absolute() else paths.ROOT / p


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _describe(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key (not in the schema; check the spelling)"
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"]
    if "input" in err and kind not in {"missing"} and not isinstance(err["input"], dict | list):
        msg += f" (got {err['input']!r})"
    return msg


def parse(path: Path, raw: Any) -> BriefingParams:
    """Validate parsed YAML against the schema."""
    if raw is None:
        raise InputError(
            path,
            "the file is empty; a briefing needs title, as_of, audience, classification, sections and seed",
        )
    if not isinstance(raw, dict):
        raise InputError(
            path, f"expected a mapping of fields at the top level, got {type(raw).__name__}"
        )
    try:
        return BriefingParams.model_validate(raw)
    except ValidationError as exc:
        errors = [
            InputError(path, _describe(e), field=_location(e["loc"]))
            for e in exc.errors(include_url=False)
        ]
        raise InputErrors(errors) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is a field error, not a parser crash."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"not UTF-8 text (byte {exc.start} is 0x{exc.object[exc.start]:02x})"
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(path, f"not valid YAML{where}: {problem}") from None


def resolve(name_or_path: str | os.PathLike[str]) -> Path:
    """A briefing name (``baseline``) or a params file path to the params file."""
    s = str(name_or_path)
    if s.endswith((".yaml", ".yml")) or os.sep in s or "/" in s:
        return Path(s).resolve()
    return paths.PARAMS_DIR / f"{s}.yaml"


def load(name_or_path: str | os.PathLike[str], *, check_inputs: bool = True) -> Briefing:
    """Load and validate a params file; with ``check_inputs``, also the sections and data files it names."""
    path = resolve(name_or_path)
    if not path.exists():
        available = ", ".join(available_briefings()) or "none"
        raise InputError(
            path,
            f"no such params file (briefings in {paths.display_path(paths.PARAMS_DIR)}: {available})",
        )
    params = parse(path, read_yaml(path))
    briefing = Briefing(name=path.stem, path=path, params=params)
    if check_inputs:
        check_references(briefing)
    return briefing


def check_references(briefing: Briefing) -> None:
    """Sections must exist as notebooks; data files the chosen sections read must exist;
    scenarios named must exist in the scenarios file."""
    from riskbrief import sections  # late: sections imports this module

    errors: list[InputError] = []
    known = sections.available()
    for i, name in enumerate(briefing.params.sections):
        if name not in known:
            errors.append(
                InputError(
                    briefing.path,
                    f"unknown section '{name}' (available: {', '.join(sorted(known))})",
                    field=f"sections.{i}",
                )
            )
    needed = sorted(
        {key for s in briefing.params.sections if s in known for key in sections.get(s).data}
    )
    for key in needed:
        p = briefing.data_path(key)
        if not p.is_file():
            errors.append(InputError(briefing.path, f"file not found: {p}", field=f"data.{key}"))
    if errors:
        raise InputErrors(errors)
    if "scenarios" in briefing.params.sections:
        from riskbrief.scenarios import load_scenarios

        defined = set(load_scenarios(briefing.data_path("scenarios")))
        for i, s in enumerate(briefing.params.scenarios.shown):
            if s not in defined:
                errors.append(
                    InputError(
                        briefing.path,
                        f"unknown scenario '{s}' (defined in {paths.display_path(briefing.data_path('scenarios'))}: "
                        f"{', '.join(sorted(defined))})",
                        field=f"scenarios.shown.{i}",
                    )
                )
        if errors:
            raise InputErrors(errors)


def available_briefings() -> list[str]:
    return sorted(p.stem for p in paths.PARAMS_DIR.glob("*.yaml"))
