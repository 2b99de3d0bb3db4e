"""Errors a user can act on, and the one collector of problems found in an input.

The CLI prints these without a traceback and exits non-zero. Every :class:`InputError` names
the file, the field or row, and what is wrong; :class:`Problems` collects them while a file is
checked so that all of its problems are reported in one pass.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable


class RiskbriefError(Exception):
    """Base class for every error caused by input, environment or a failed step, not by a bug."""


class InputError(RiskbriefError):
    """A params, data or notebook file is wrong. The message names the file, the field or row,
    and what is wrong."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        problem: str,
        *,
        field: str | None = None,
        row: int | None = None,
    ) -> None:
        from riskbrief.paths import display_path

        self.path = None if path is None else display_path(path)
        self.field = field
        self.row = row
        self.problem = problem
        where = [self.path] if self.path else []
        if row is not None:
            where.append(f"row {row}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}" if where else problem)


class InputErrors(InputError):
    """Several problems, reported together so the user can fix them in one pass."""

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        first = errors[0]
        RiskbriefError.__init__(self, "\n".join(str(e) for e in errors))
        self.path, self.field, self.row, self.problem = (
            first.path,
            first.field,
            first.row,
            first.problem,
        )

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class BuildError(RiskbriefError):
    """A build step failed: a notebook raised, a renderer is missing, the reports folder is not
    writable."""


class BuildInProgress(BuildError):
    """Another build of the same briefing holds the lock."""


class Problems:
    """Collects the problems found while checking inputs, then raises them together.

    ``path`` is the file problems are about by default; :meth:`add` can name another, and
    :meth:`extend` takes the problems of an :class:`InputError` raised by a loader.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = path
        self.errors: list[InputError] = []

    def add(
        self,
        problem: str,
        *,
        row: int | None = None,
        field: str | None = None,
        path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.errors.append(
            InputError(path if path is not None else self.path, problem, row=row, field=field)
        )

    def extend(self, exc: InputError) -> None:
        """Record the problems of a raised InputError (or InputErrors)."""
        self.errors.extend(exc.errors if isinstance(exc, InputErrors) else [exc])

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def raise_if_any(self, *, sort: bool = True) -> None:
        """Raise the one problem found, or all of them as :class:`InputErrors` (by file and
        row unless ``sort`` is False)."""
        if not self.errors:
            return
        errors = (
            sorted(self.errors, key=lambda e: (e.path or "", e.row or 0, e.field or ""))
            if sort
            else list(self.errors)
        )
        if len(errors) == 1:
            raise errors[0]
        raise InputErrors(errors)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest of ``options``, or '' when none is close."""
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def environment_error(variable: str, problem: str) -> InputError:
    """An InputError about an environment variable, named as such."""
    err = InputError(None, problem, field=variable)
    err.args = (f"environment variable {variable}: {problem}",)
    return err
