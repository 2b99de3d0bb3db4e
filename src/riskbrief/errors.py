"""Errors a user can act on. The CLI prints them without a traceback and exits non-zero."""

from __future__ import annotations

import os

from riskbrief.paths import display_path


class RiskbriefError(Exception):
    """Base class for every error caused by input, environment or a failed step, not by a bug."""


class InputError(RiskbriefError):
    """A params, data or notebook file is wrong. The message names the file, the field or row, and what is wrong."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        problem: str,
        *,
        field: str | None = None,
        row: int | None = None,
    ) -> None:
        self.path = None if path is None else display_path(path)
        self.field = field
        self.row = row
        self.problem = problem
        where = [self.path or "<input>"]
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}")


class InputErrors(InputError):
    """Several problems in one file, reported together so the user can fix them in one pass."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.path, first.problem, field=first.field, row=first.row)
        self.args = ("\n".join(str(e) for e in errors),)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class BuildError(RiskbriefError):
    """A build step failed: a notebook raised, a renderer is missing, the reports folder is not writable."""


class BuildInProgress(BuildError):
    """Another build of the same briefing holds the lock."""
