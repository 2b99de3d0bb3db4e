"""A briefing's params file (``params/<name>.yaml``): reading it and validating it against a
typed schema.

The fields every briefing has (title, date, audience, classification, sections, seed,
execution) are defined here; the settings block and data files of each section come from the
section registry, which builds the full schema with :func:`schema` (see
:mod:`riskbrief.sections`, where ``BriefingParams`` lives). This module knows nothing of
particular sections or data files.

Validation is strict: unknown keys, wrong types (a seed written as a string is an error, not
coerced), out-of-range numbers and impossible dates are errors that name the file and the
field, all reported together.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    create_model,
    model_validator,
)

from riskbrief.errors import InputError, InputErrors, did_you_mean
from riskbrief.paths import Project
from riskbrief.readers import date_problem, read_yaml

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
SectionName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


def _iso_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        problem = date_problem(value)
        if problem is None:
            return dt.date.fromisoformat(value)
        raise ValueError(problem)
    raise ValueError(f"must be a date written YYYY-MM-DD, got {value!r}")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


class Strict(BaseModel):
    """Base of every params model: unknown keys are errors, types are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ExecutionSettings(Strict):
    cell_timeout: int = Field(600, ge=1, le=86_400, description="seconds a notebook cell may run")


class CommonParams(Strict):
    """The fields of every briefing; sections add their settings blocks and data files."""

    title: NonEmpty
    subtitle: str = Field("", max_length=300)
    as_of: IsoDate
    audience: NonEmpty
    classification: Literal["PUBLIC", "INTERNAL", "DRAFT"]
    issued_by: NonEmpty = "riskbrief analysis team"
    role: Literal["policy", "security", "negotiation"] = Field(
        "policy", description="the readers the summary, implications and options speak to"
    )
    sections: list[SectionName] = Field(min_length=1)
    seed: int = Field(ge=0, le=2**32 - 1)
    execution: ExecutionSettings = Field(default_factory=ExecutionSettings)

    @model_validator(mode="after")
    def _sections_unique(self) -> CommonParams:
        if len(set(self.sections)) != len(self.sections):
            raise ValueError("'sections' lists a section twice")
        return self


def schema(
    settings: Mapping[str, type[BaseModel]], data: Mapping[str, str], *, name: str
) -> type[CommonParams]:
    """The full params schema: the common fields, one settings block per entry of
    ``settings`` (its key in the params file → its model), and a ``data`` block with one path
    per entry of ``data`` (key → default path, relative to the project root)."""
    data_model = create_model(
        "DataPaths",
        __base__=Strict,
        __doc__="Data files, relative to the project root unless absolute.",
        **{key: (str, default) for key, default in data.items()},
    )
    fields: dict[str, Any] = {
        key: (model, Field(default_factory=model)) for key, model in settings.items()
    }
    fields["data"] = (data_model, Field(default_factory=data_model))
    return create_model(name, __base__=CommonParams, **fields)


@dataclass(frozen=True)
class Briefing:
    """A validated params file: its name (the file's stem), path, parameters and project."""

    name: str
    path: Path
    params: CommonParams
    project: Project

    def data_path(self, key: str) -> Path:
        """A data file the params name (``data.<key>``), resolved against the project root."""
        return self.project.resolve(getattr(self.params.data, key))

    def settings(self, key: str) -> BaseModel:
        return getattr(self.params, key)


# --- reading and validating ------------------------------------------------------------------


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _describe(err: dict[str, Any], model: type[BaseModel]) -> str:
    kind = err["type"]
    loc = err["loc"]
    if kind == "extra_forbidden":
        return "unknown key (not in the schema)" + did_you_mean(
            str(loc[-1]), _keys(model, loc[:-1])
        )
    if kind == "missing":
        return "required field is missing"
    msg = err["msg"]
    if kind == "value_error":
        msg = re.sub(r"^Value error, ", "", msg)  # pydantic's prefix for a validator's message
        return msg
    if "input" in err and not isinstance(err["input"], dict | list):
        msg += f" (got {err['input']!r})"
    return msg


def _keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys allowed at ``loc`` in ``model`` (for "did you mean")."""
    for part in loc:
        field = model.model_fields.get(str(part))
        ann = getattr(field, "annotation", None)
        if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
            return []
        model = ann
    return list(model.model_fields)


def parse(path: Path, raw: Any, model: type[CommonParams]) -> CommonParams:
    """Validate parsed YAML against ``model``; every problem names the file and the field."""
    if raw is None:
        raise InputError(
            path,
            "the file is empty; a briefing needs title, as_of, audience, classification, "
            "sections and seed",
        )
    if not isinstance(raw, dict):
        raise InputError(
            path, f"expected a mapping of fields at the top level, got {type(raw).__name__}"
        )
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = [
            InputError(path, _describe(e, model), field=_location(e["loc"]))
            for e in exc.errors(include_url=False)
        ]
        raise InputErrors(errors) from None


def resolve(name_or_path: str | os.PathLike[str], project: Project) -> Path:
    """A briefing name (``baseline``) or a params file path to the params file."""
    s = str(name_or_path)
    if s.endswith((".yaml", ".yml")) or os.sep in s or "/" in s:
        return Path(s).resolve()
    return project.params_dir / f"{s}.yaml"


def available_briefings(project: Project) -> list[str]:
    return sorted(p.stem for p in project.params_dir.glob("*.yaml"))


def load(
    name_or_path: str | os.PathLike[str], project: Project, model: type[CommonParams]
) -> Briefing:
    """Read and validate a params file against ``model`` (see ``sections.load``, which adds
    the checks of sections and data)."""
    path = resolve(name_or_path, project)
    if not path.exists():
        names = available_briefings(project)
        raise InputError(
            path,
            f"no such params file{did_you_mean(path.stem, names)} (briefings in "
            f"{project.relative(project.params_dir)}: {', '.join(names) or 'none'})",
        )
    return Briefing(path.stem, path, parse(path, read_yaml(path), model), project)
