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

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskbrief import params as params_mod
from riskbrief.errors import InputError, Problems, did_you_mean
from riskbrief.params import Briefing
from riskbrief.paths import Project
from riskbrief.references import Reference
from riskbrief.settings import ImplicationsSettings, RiskSettings, ScenarioSettings
from riskbrief.spec import Comparable, DataFile, Section

# --- the sections ------------------------------------------------------------------------------


def _risk_parameters(b: Briefing) -> dict[str, Any]:
    s = b.params.risk
    return {"draws": s.draws, "top_n": s.top_n, "scenario": s.scenario}


def _implications_parameters(b: Briefing) -> dict[str, Any]:
    s = b.params.implications
    return {
        "role": b.params.role,
        "scenario": s.scenario,
        "disclosure_scenario": s.disclosure_scenario,
        "draws": s.draws,
    }


def _check_named_scenario(
    key: str, *fields: str
) -> Callable[[Briefing, Mapping[str, Any], Problems], None]:
    """A check that the scenarios a section's settings name (``<key>.scenario`` and any other
    ``fields``) exist in the scenarios file."""

    def check(b: Briefing, loaded: Mapping[str, Any], problems: Problems) -> None:
        defined = loaded.get("scenarios")
        for name in ("scenario", *fields):
            sid = getattr(b.settings(key), name, None)
            if defined is None or sid is None or sid in defined:
                continue
            problems.add(
                f"unknown scenario '{sid}'{did_you_mean(sid, defined)} "
                f"(defined: {', '.join(sorted(defined))})",
                field=f"{key}.{name}",
                path=b.path,
            )

    return check


def _check_implications(b: Briefing, loaded: Mapping[str, Any], problems: Problems) -> None:
    """Options and signposts may only cite records the governance file or the indicators hold."""
    from riskbrief.options import load_options, load_signposts

    _check_named_scenario("implications", "disclosure_scenario")(b, loaded, problems)
    record, ind = loaded.get("governance"), loaded.get("indicators")
    if record is None or ind is None:
        return
    known = set(record["id"]) | set(ind["id"])
    for key, load in (("options", load_options), ("signposts", load_signposts)):
        try:
            load(b.data_path(key), known)
        except InputError as exc:
            problems.extend(exc)


def _governance_references(b: Briefing) -> list[Reference]:
    """The sources of the governance record and of the indicators signposts cite."""
    from riskbrief.references import from_indicators, from_table

    return from_table(b.data_path("governance")) + from_indicators(b.data_path("indicators"))


def _scenario_parameters(b: Briefing) -> dict[str, Any]:
    s = b.params.scenarios
    return {
        "role": b.params.role,
        "scenarios_shown": list(s.shown),
        "focus": s.focus,
        "horizon_years": s.horizon_years,
        "draws": s.draws,
        "sobol_samples": s.sobol.samples,
        "sobol_bootstrap": s.sobol.bootstrap,
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


# The tables `riskbrief import` writes into data/evidence/ (each with its provenance sidecar),
# the analyst's mapping of the article's categories onto them, and the article's urgency: the
# evidence section reads all of them; the risk summary reads two for the register's evidence.
def _evidence_table(key: str, file: str, loader: str) -> DataFile:
    return DataFile(key, f"data/evidence/{file}", f"{key}_path", f"riskbrief.datasets:{loader}")


MIT_RISK = _evidence_table("mit_risk", "mit-risk.csv", "load_mit_risk")
AIID = _evidence_table("aiid", "aiid.csv", "load_aiid")
AIID_SUBDOMAINS = _evidence_table("aiid_subdomains", "aiid-subdomains.csv", "load_aiid_subdomains")
EPOCH_MODELS = _evidence_table("epoch_models", "epoch-models.csv", "load_epoch_models")
EPOCH_CLUSTERS = _evidence_table("epoch_clusters", "epoch-clusters.csv", "load_epoch_clusters")
CATEGORY_MAPPING = _evidence_table(
    "category_mapping", "category_mapping.yaml", "load_category_mapping"
)
URGENCY = DataFile(
    "urgency", "data/article_urgency.csv", "urgency_path", "riskbrief.register:load_urgency"
)
SCENARIOS_FILE = DataFile(
    "scenarios",
    "data/scenarios.yaml",
    "scenarios_path",
    "riskbrief.scenarios:load_scenarios",
    used="riskbrief.scenarios:used_scenarios",
)


def _dataset_references(*files: DataFile) -> Callable[[Briefing], list[Reference]]:
    """References to the public datasets the tables come from, made from their sidecars."""

    def refs(b: Briefing) -> list[Reference]:
        from riskbrief.datasets import dataset_references

        return dataset_references({d.key: b.data_path(d.key) for d in files})

    return refs


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

_EVIDENCE = "Evidence from public datasets"
_EVIDENCE_COMPARABLES = (
    Comparable(_EVIDENCE, "headline.last_complete_year", "newest complete year of incidents"),
    Comparable(
        _EVIDENCE,
        "headline.incidents_last_complete_year",
        "AI incidents recorded in the newest complete year",
    ),
    Comparable(
        _EVIDENCE,
        "headline.categories.*",
        "{key}: incidents in the trend window",
        field="incidents_window",
    ),
    Comparable(
        _EVIDENCE,
        "headline.categories.*",
        "{key}: entries in the MIT repository",
        field="repository_entries",
    ),
    Comparable(
        _EVIDENCE,
        "headline.categories.*",
        "{key}: observation against urgency",
        "text",
        field="reading",
    ),
    Comparable(
        _EVIDENCE, "headline.models_us_last_complete", "US notable models, newest complete year"
    ),
    Comparable(
        _EVIDENCE,
        "headline.models_china_last_complete",
        "Chinese notable models, newest complete year",
    ),
    Comparable(
        _EVIDENCE,
        "headline.compute_record_ratio",
        "largest known US training run ÷ largest known Chinese one",
        "ratio",
        min_change=0.05,
    ),
    Comparable(
        _EVIDENCE,
        "headline.capacity_share_us",
        "US share of existing AI supercomputer capacity",
        _PCT,
        min_change=0.005,
    ),
    Comparable(
        _EVIDENCE,
        "headline.capacity_share_china",
        "Chinese share of existing AI supercomputer capacity",
        _PCT,
        min_change=0.005,
    ),
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
            "evidence",
            "what the public datasets show: incidents, the article's categories, models, compute",
            data=(
                MIT_RISK,
                AIID,
                AIID_SUBDOMAINS,
                EPOCH_MODELS,
                EPOCH_CLUSTERS,
                CATEGORY_MAPPING,
                URGENCY,
            ),
            references=("mit-risk-repository",),
            data_references=_dataset_references(
                AIID, AIID_SUBDOMAINS, EPOCH_MODELS, EPOCH_CLUSTERS
            ),
            comparables=_EVIDENCE_COMPARABLES,
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
                URGENCY,
                MIT_RISK,
                AIID_SUBDOMAINS,
                SCENARIOS_FILE,
            ),
            settings=("risk", RiskSettings),
            parameters=_risk_parameters,
            check=_check_named_scenario("risk"),
            references=("mit-risk-repository", "risk-register"),
            data_references=_dataset_references(AIID_SUBDOMAINS),
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
            data=(SCENARIOS_FILE,),
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
        Section(
            "implications",
            "what the analysis means for the audience: options and signposts",
            data=(
                DataFile(
                    "options", "data/options.yaml", "options_path", "riskbrief.options:load_options"
                ),
                DataFile(
                    "signposts",
                    "data/signposts.yaml",
                    "signposts_path",
                    "riskbrief.options:load_signposts",
                ),
                DataFile(
                    "governance",
                    "data/governance.csv",
                    "governance_path",
                    "riskbrief.options:load_governance",
                ),
                DataFile(
                    "indicators",
                    "data/indicators.csv",
                    "indicators_path",
                    "riskbrief.indicators:load_indicators",
                ),
                SCENARIOS_FILE,
            ),
            settings=("implications", ImplicationsSettings),
            parameters=_implications_parameters,
            references=("options-file", "model-racing"),
            data_references=_governance_references,
            comparables=(
                Comparable(
                    "Options",
                    "headline.options.*.disaster_after",
                    "{title}: modelled P(unsafe first AI) with the option",
                    _PCT,
                    min_change=0.01,
                ),
            ),
            check=_check_implications,
        ),
    )
}


def _schema() -> type[params_mod.CommonParams]:
    settings = {s.settings[0]: s.settings[1] for s in REGISTRY.values() if s.settings}
    data: dict[str, str] = {}
    for s in REGISTRY.values():
        for d in s.data:
            if data.setdefault(d.key, d.default) != d.default:
                raise ValueError(f"data key {d.key!r} has two defaults in the section registry")
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
    # two sections reading one dataset make the same reference: it is listed once
    extra: dict[str, Reference] = {}
    for s in secs:
        for r in s.data_references(briefing):
            extra.setdefault(r.key, r)
    return refs.listed([k for s in secs for k in s.references], list(extra.values()))


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
