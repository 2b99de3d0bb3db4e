"""What a section spec is: the data files a section reads (:class:`DataFile`), the numbers its
change log compares (:class:`Comparable`), and the spec itself (:class:`Section`). The project's
sections are registered in :mod:`riskbrief.sections`."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from riskbrief.errors import Problems
from riskbrief.params import Briefing
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
