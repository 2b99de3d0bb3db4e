"""The sections a briefing can include: one :class:`Section` spec per section, in one registry.

A section is a notebook ``notebooks/<name>.ipynb`` executed by papermill. Its spec says
everything the rest of the pipeline needs to know about it:

- the data files it reads (:class:`DataFile`: the params key, default path, the notebook
  parameter that receives it, and the loader that validates it);
- its settings block in the params file (a pydantic model) and how the settings become
  notebook parameters;
- the references its figures and tables may cite;
- the numbers the change log compares between editions (:class:`Comparable`);
- any check across its settings and data (say, that the scenarios shown exist).

Params validation (the schema :data:`BriefingParams` is built from the specs), make
dependencies and fingerprints (``riskbrief.inputs``), the change log (``riskbrief.diff``) and
the reference list all read these specs; adding a section is one notebook, one entry in
:data:`REGISTRY` and its analysis module (docs/architecture.md shows an example).

A notebook with no spec is still a valid section: it receives the common parameters only.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator

from riskbrief import params as params_mod
from riskbrief.errors import InputError, Problems, did_you_mean
from riskbrief.params import Briefing, Name, Strict
from riskbrief.paths import Project
from riskbrief.references import Reference


@dataclass(frozen=True)
class DataFile:
    """A data file a section reads."""

    key: str  #: its key under ``data:`` in a params file
    default: str  #: default path, relative to the project root
    parameter: str  #: the notebook parameter that receives its path
    loader: str  #: "module:function" that reads and validates it (raises InputError)
    #: "module:function" (path, validated parameters as JSON) -> the part of the file a
    #: briefing uses, as JSON-able content; None: the whole file. The fingerprint hashes it,
    #: and the change log compares rows of it, so an edit to a part no section reads (another
    #: briefing's scenario, a comment) publishes nothing.
    used: str | None = None

    def load(self, path: Path) -> Any:
        return _function(self.loader)(path)

    def used_content(self, path: Path, parameters: Mapping[str, Any]) -> Any:
        if self.used is None:
            return None
        return _function(self.used)(path, parameters)


def _function(spec: str) -> Callable[..., Any]:
    module, func = spec.split(":")
    return getattr(importlib.import_module(module), func)


@dataclass(frozen=True)
class Comparable:
    """Something in a section's results JSON the change log compares between editions.

    ``path`` is dotted; ``*`` matches every key at that level (``headline.scenarios.*.
    disaster_median``). ``label`` is formatted with the matched entry's fields and ``{key}``
    (the matched key; ``{name}``: the last path part, humanised). ``format``: ``pct``,
    ``ratio``, ``number`` or ``text``. A move smaller than ``min_change`` is not a change.
    With ``field``, ``path`` names a mapping of records and ``field`` the value compared; new
    and retired records are reported too.
    """

    group: str
    path: str
    label: str
    format: str = "number"
    min_change: float = 0.0
    field: str | None = None


def _no_parameters(_: Briefing) -> dict[str, Any]:
    return {}


def _no_references(_: Briefing) -> list[Reference]:
    return []


@dataclass(frozen=True)
class Section:
    name: str
    description: str = ""
    data: tuple[DataFile, ...] = ()
    #: (key in the params file, settings model)
    settings: tuple[str, type[BaseModel]] | None = None
    #: section-specific notebook parameters from the validated settings (data paths are added)
    parameters: Callable[[Briefing], dict[str, Any]] = _no_parameters
    #: keys of ``riskbrief.references.REGISTRY`` its figures and tables may cite
    references: tuple[str, ...] = ()
    #: references made from its data files (say, the sources an indicators file names)
    data_references: Callable[[Briefing], list[Reference]] = _no_references
    comparables: tuple[Comparable, ...] = ()
    #: checks across settings and loaded data: (briefing, {data key: loaded}, problems)
    check: Callable[[Briefing, Mapping[str, Any], Problems], None] | None = None

    @property
    def anchor(self) -> str:
        return self.name.replace("_", "-")

    def notebook(self, project: Project) -> Path:
        return project.notebook(self.name)


# --- the sections ------------------------------------------------------------------------------


class RiskSettings(Strict):
    """Settings of the risk-summary section."""

    draws: int = Field(10_000, ge=100, le=1_000_000, description="Monte Carlo draws per risk")
    top_n: int = Field(10, ge=1, le=100, description="rows in the ranked table of top risks")


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

    @model_validator(mode="after")
    def _focus_shown(self) -> ScenarioSettings:
        if len(set(self.shown)) != len(self.shown):
            raise ValueError("'shown' lists a scenario twice")
        if self.focus not in self.shown:
            raise ValueError(f"focus '{self.focus}' is not among the scenarios shown {self.shown}")
        return self


def _risk_parameters(b: Briefing) -> dict[str, Any]:
    s = b.params.risk
    return {"draws": s.draws, "top_n": s.top_n}


def _scenario_parameters(b: Briefing) -> dict[str, Any]:
    s = b.params.scenarios
    return {
        "scenarios_shown": list(s.shown),
        "focus": s.focus,
        "horizon_years": s.horizon_years,
        "draws": s.draws,
    }


def _check_scenarios(b: Briefing, loaded: Mapping[str, Any], problems: Problems) -> None:
    defined = loaded.get("scenarios")
    if defined is None:
        return
    where = b.project.relative(b.data_path("scenarios"))
    for i, s in enumerate(b.params.scenarios.shown):
        if s not in defined:
            problems.add(
                f"unknown scenario '{s}'{did_you_mean(s, defined)} "
                f"(defined in {where}: {', '.join(sorted(defined))})",
                field=f"scenarios.shown.{i}",
                path=b.path,
            )


def _indicator_references(b: Briefing) -> list[Reference]:
    from riskbrief.references import from_indicators

    return from_indicators(b.data_path("indicators"))


_PCT = "pct"
_RISK_NUMBERS = (
    ("n_risks", "risks in the register"),
    ("n_critical", "risks rated Critical"),
    ("n_high", "risks rated High"),
    ("n_moderate", "risks rated Moderate"),
    ("n_low", "risks rated Low"),
    ("critical_categories", "categories rated Critical"),
    ("n_categories_agreeing_with_article", "categories agreeing with the article's urgency"),
    ("top_risk_title", "most serious risk"),
    ("top_risk_median", "most serious risk's median score"),
    ("top_risk_p_critical", "most serious risk's P(Critical)"),
)

REGISTRY: dict[str, Section] = {
    s.name: s
    for s in (
        Section(
            "context",
            "US and China AI indicators with their sources",
            data=(
                DataFile(
                    "indicators",
                    "data/indicators.csv",
                    "indicators_path",
                    "riskbrief.indicators:load_indicators",
                ),
            ),
            data_references=_indicator_references,
            comparables=(Comparable("Context figures", "headline.*", "{name}"),),
        ),
        Section(
            "risk_summary",
            "the scored risk register",
            data=(
                DataFile(
                    "risk_register",
                    "data/risk_register.csv",
                    "risk_register_path",
                    "riskbrief.register:load_register",
                ),
                DataFile(
                    "urgency",
                    "data/article_urgency.csv",
                    "urgency_path",
                    "riskbrief.register:load_urgency",
                ),
            ),
            settings=("risk", RiskSettings),
            parameters=_risk_parameters,
            references=("mit-risk-repository", "risk-register"),
            comparables=(
                Comparable("Risk bands", "risks.*", "{key} {title}", "text", field="band"),
                *(
                    Comparable(
                        "Risk summary",
                        f"headline.{k}",
                        label,
                        _PCT if k.endswith("p_critical") else "number",
                    )
                    for k, label in _RISK_NUMBERS
                ),
            ),
        ),
        Section(
            "scenarios",
            "the published race models under each scenario",
            data=(
                DataFile(
                    "scenarios",
                    "data/scenarios.yaml",
                    "scenarios_path",
                    "riskbrief.scenarios:load_scenarios",
                    used="riskbrief.scenarios:used_scenarios",
                ),
            ),
            settings=("scenarios", ScenarioSettings),
            parameters=_scenario_parameters,
            references=("model-racing", "model-dsair", "model-richardson", "scenarios-file"),
            comparables=(
                *(
                    Comparable(
                        "Scenario headline numbers",
                        f"headline.scenarios.*.disaster_{q}",
                        "{title} — " + label,
                        _PCT,
                        min_change=0.005,
                    )
                    for q, label in (
                        ("median", "P(unsafe first AI), median"),
                        ("p10", "10th percentile"),
                        ("p90", "90th percentile"),
                    )
                ),
                Comparable(
                    "Scenario headline numbers",
                    "headline.scenarios.*.richardson_stability",
                    "{title} — arms build-up",
                    "text",
                ),
                Comparable(
                    "Scenario headline numbers",
                    "headline.scenarios.*.dsair_zone",
                    "{title} — development-race zone",
                    "text",
                ),
                Comparable(
                    "Scenario headline numbers",
                    "headline.comparison.ratio_median",
                    "risk ratio {numerator} ÷ {denominator}, median",
                    "ratio",
                    min_change=0.05,
                ),
                Comparable(
                    "Scenario headline numbers",
                    "headline.focus_top_driver",
                    "main driver of risk in the focus scenario",
                    "text",
                ),
            ),
            check=_check_scenarios,
        ),
    )
}


def _schema() -> type[params_mod.CommonParams]:
    settings = {s.settings[0]: s.settings[1] for s in REGISTRY.values() if s.settings}
    data = {d.key: d.default for s in REGISTRY.values() for d in s.data}
    return params_mod.schema(settings, data, name="BriefingParams")


#: The params schema: common fields, each section's settings block and every data file.
BriefingParams = _schema()


def register(section: Section) -> Section:
    """Add a section to the registry (its name must be new) and rebuild the params schema."""
    global BriefingParams
    if section.name in REGISTRY:
        raise ValueError(f"a section named {section.name!r} is already registered")
    REGISTRY[section.name] = section
    BriefingParams = _schema()
    return section


def unregister(name: str) -> None:
    """Remove a section from the registry (tests that register one of their own)."""
    global BriefingParams
    REGISTRY.pop(name, None)
    BriefingParams = _schema()


def available(project: Project) -> list[str]:
    """Section names: every notebook in ``notebooks/``."""
    return sorted(p.stem for p in project.notebooks_dir.glob("*.ipynb"))


def get(name: str) -> Section:
    return REGISTRY.get(name) or Section(name)


def of(briefing: Briefing) -> list[Section]:
    return [get(s) for s in briefing.params.sections]


def data_specs(briefing: Briefing) -> list[DataFile]:
    """The data files the briefing's sections read (each once, in order)."""
    return list(dict.fromkeys(d for s in of(briefing) for d in s.data))


def data_files(briefing: Briefing) -> dict[str, Path]:
    """The data files the briefing's sections read, by params key (each once, in order)."""
    return {d.key: briefing.data_path(d.key) for s in of(briefing) for d in s.data}


def references(briefing: Briefing) -> list[Reference]:
    """The reference list of a briefing: what its sections cite, and what their data name."""
    from riskbrief import references as refs

    secs = of(briefing)
    extra = [r for s in secs for r in s.data_references(briefing)]
    return refs.listed([k for s in secs for k in s.references], extra)


# --- loading and checking a briefing -----------------------------------------------------------


def load(
    name_or_path: str | os.PathLike[str],
    project: Project | None = None,
    *,
    check_inputs: bool = True,
) -> Briefing:
    """Read and validate a params file; with ``check_inputs`` (the default) also everything
    it names: sections, settings blocks, data files and their contents, all problems reported
    together (:func:`check`)."""
    b = params_mod.load(name_or_path, project or Project.default(), BriefingParams)
    if check_inputs:
        check(b)
    return b


def check(briefing: Briefing) -> dict[str, Any]:
    """Check what a valid params file names, before anything runs: every section has a
    notebook, no settings block is given for a section the briefing leaves out, every data
    file exists and is valid (its loader runs once), and each section's own checks pass.
    Returns the loaded data by key; raises every problem found, together."""
    b, problems = briefing, Problems(briefing.path)
    known = available(b.project)
    for i, name in enumerate(b.params.sections):
        if name not in known:
            problems.add(
                f"unknown section '{name}'{did_you_mean(name, known)} "
                f"(available: {', '.join(known)})",
                field=f"sections.{i}",
            )
    raw = b.params.model_fields_set
    for s in REGISTRY.values():
        if s.settings and s.settings[0] in raw and s.name not in b.params.sections:
            problems.add(
                f"settings for the '{s.name}' section, which this briefing does not include "
                f"(sections: {', '.join(b.params.sections)}); remove the block or add the section",
                field=s.settings[0],
            )
    loaded: dict[str, Any] = {}
    secs = [get(n) for n in b.params.sections if n in known]
    for d in dict.fromkeys(d for s in secs for d in s.data):
        path = b.data_path(d.key)
        if not path.is_file():
            near = sorted(p.name for p in path.parent.glob("*") if p.is_file())
            close = did_you_mean(path.name, near)
            if close:  # name the file as the params file would: with its folder
                named = b.project.relative(path.parent / close.split("'")[1])
                close = f" (did you mean '{named}'?)"
            problems.add(
                f"file not found: {b.project.relative(path)}{close}", field=f"data.{d.key}"
            )
            continue
        try:
            loaded[d.key] = d.load(path)
        except InputError as exc:
            problems.extend(exc)
    for s in secs:
        if s.check is not None:
            s.check(b, loaded, problems)
    problems.raise_if_any(sort=False)
    return loaded


# --- the plan: each section's notebook parameters, computed once --------------------------------


@dataclass(frozen=True)
class Step:
    """One section notebook to execute, with the parameters papermill injects."""

    section: Section
    notebook: Path
    #: what papermill injects (data paths absolute, results path relative to the work folder)
    parameters: dict[str, Any]
    #: the same, as the executed notebook records them (paths relative to the project root)
    recorded: dict[str, Any] = field(default_factory=dict)
    #: the briefing's validated parameters (JSON), for what its data files' specs say it uses
    briefing_parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def results_name(self) -> str:
        return f"{self.section.name}.json"


def parameters(briefing: Briefing, section: Section) -> dict[str, Any]:
    """Everything papermill injects into one section notebook."""
    p = briefing.params
    return {
        "briefing": briefing.name,
        "as_of": p.as_of.isoformat(),
        "seed": p.seed,
        "results_path": f"{section.name}.json",
        **{d.parameter: str(briefing.data_path(d.key)) for d in section.data},
        **section.parameters(briefing),
    }


def plan(briefing: Briefing) -> list[Step]:
    """The notebooks to run, in the briefing's order, each with its parameters."""
    steps = []
    validated = briefing.params.model_dump(mode="json")
    for s in of(briefing):
        p = parameters(briefing, s)
        recorded = {
            k: briefing.project.relative(v) if isinstance(v, str) and Path(v).is_absolute() else v
            for k, v in p.items()
        }
        steps.append(Step(s, s.notebook(briefing.project), p, recorded, validated))
    return steps
