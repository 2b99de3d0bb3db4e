"""The sections a briefing can include: one notebook each, and the parameters it receives.

A section is a notebook ``notebooks/<section>.ipynb``. The registry below says, for the
sections that read data, which data files they read (so ``make`` and the fingerprint know
what to rebuild) and which section-specific parameters they get from the params file.
A notebook not listed here is still a valid section; it receives the common parameters only.

Every data file a briefing's sections read is validated by :func:`validate_data` before any
kernel starts, so a bad row is reported as the file, row and field, never as a notebook
traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskbrief import paths
from riskbrief.errors import InputError, InputErrors
from riskbrief.params import Briefing

ParamBuilder = Callable[[Briefing], dict[str, Any]]


def _no_params(_: Briefing) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Section:
    name: str
    #: keys of ``params.data`` this section reads
    data: tuple[str, ...] = ()
    #: section-specific papermill parameters, from the validated params
    build_params: ParamBuilder = _no_params
    description: str = ""

    @property
    def notebook(self) -> Path:
        return paths.NOTEBOOKS_DIR / f"{self.name}.ipynb"

    @property
    def anchor(self) -> str:
        return self.name.replace("_", "-")


def _context(b: Briefing) -> dict[str, Any]:
    return {"indicators_path": str(b.data_path("indicators"))}


def _risk_summary(b: Briefing) -> dict[str, Any]:
    return {
        "risk_register_path": str(b.data_path("risk_register")),
        "urgency_path": str(b.data_path("urgency")),
        "draws": b.params.risk.draws,
        "top_n": b.params.risk.top_n,
    }


def _scenarios(b: Briefing) -> dict[str, Any]:
    s = b.params.scenarios
    return {
        "scenarios_path": str(b.data_path("scenarios")),
        "scenarios_shown": list(s.shown),
        "focus": s.focus,
        "horizon_years": s.horizon_years,
        "draws": s.draws,
    }


REGISTRY: dict[str, Section] = {
    s.name: s
    for s in (
        Section(
            "context", ("indicators",), _context, "US and China AI indicators with their sources"
        ),
        Section(
            "risk_summary", ("risk_register", "urgency"), _risk_summary, "the scored risk register"
        ),
        Section(
            "scenarios", ("scenarios",), _scenarios, "the published race models under each scenario"
        ),
    )
}


def _load_indicators(path: Path) -> object:
    from riskbrief.data import load_indicators

    return load_indicators(path)


def _load_register(path: Path) -> object:
    from riskbrief.register import load_register

    return load_register(path)


def _load_urgency(path: Path) -> object:
    from riskbrief.register import load_urgency

    return load_urgency(path)


def _load_scenarios(path: Path) -> object:
    from riskbrief.scenarios import load_scenarios

    return load_scenarios(path)


#: The loader that validates each kind of data file (a key of ``params.data``). Loaders raise
#: InputError naming the file, row and field; the data modules are imported only when needed.
DATA_VALIDATORS: dict[str, Callable[[Path], object]] = {
    "indicators": _load_indicators,
    "risk_register": _load_register,
    "urgency": _load_urgency,
    "scenarios": _load_scenarios,
}


def validate_data(briefing: Briefing, secs: list[Section]) -> None:
    """Load and validate every data file the sections read, each once, before anything runs.

    All problems in all files are reported together (file, row, field and what is wrong)."""
    errors: list[InputError] = []
    for key in dict.fromkeys(k for s in secs for k in s.data):
        validator = DATA_VALIDATORS.get(key)
        if validator is None:
            continue
        try:
            validator(briefing.data_path(key))
        except InputErrors as exc:
            errors.extend(exc.errors)
        except InputError as exc:
            errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InputErrors(errors)


def available() -> set[str]:
    """Section names: every notebook in ``notebooks/``."""
    return {p.stem for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")}


def get(name: str) -> Section:
    return REGISTRY.get(name) or Section(name)


def parameters(
    briefing: Briefing, section: Section, results_path: Path, previous_results: Path | None
) -> dict[str, Any]:
    """Everything papermill injects into one section notebook."""
    p = briefing.params
    return {
        "briefing": briefing.name,
        "as_of": p.as_of.isoformat(),
        "seed": p.seed,
        "results_path": str(results_path),
        "previous_results_path": None if previous_results is None else str(previous_results),
        **section.build_params(briefing),
    }
