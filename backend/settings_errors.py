"""Bad settings stop start-up with one line per variable: what it accepts, what it got.

`python -m backend …` and `create_app()` load their settings through `settings_or_exit`, so a
typo in the environment is never a traceback from deep inside the logging set-up or the pool.
"""

import os
import sys
import types
import typing
from enum import Enum
from typing import Any

from annotated_types import Ge, Le
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import SettingsError

from backend.config import Settings

PREFIX = "NEXTHOP_"
EXIT_BAD_SETTINGS = 2


class BadSettings(Exception):
    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_settings() -> Settings:
    """Settings from the environment and `.env`, or BadSettings naming every bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise BadSettings(explain(exc)) from None
    except SettingsError as exc:  # a source that could not be read at all
        raise BadSettings([str(exc)]) from None


def settings_or_exit() -> Settings:
    """For start-up: the settings, or one line per bad variable on stderr and exit status 2."""
    try:
        return load_settings()
    except BadSettings as exc:
        for line in exc.lines:
            sys.stderr.write(f"nexthop: {line}\n")
        raise SystemExit(EXIT_BAD_SETTINGS) from None


def explain(exc: ValidationError) -> list[str]:
    """One line per variable (the first problem found in it)."""
    lines: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else ""
        field = Settings.model_fields.get(name)
        variable = f"{PREFIX}{name.upper()}"
        if variable in lines or field is None:
            continue
        got = _raw(variable, error["input"] if len(error["loc"]) == 1 else None)
        lines[variable] = f"{variable} must be {accepts(field, error)} (got {got!r})"
    return list(lines.values())


def accepts(field: FieldInfo, error: Any) -> str:
    """What the setting takes, in words: from the validator's own message, else its type."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    kind = field.annotation
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # `X | None`: what X takes
        kind = next(option for option in typing.get_args(kind) if option is not type(None))
    if isinstance(kind, type) and issubclass(kind, Enum):
        return "one of " + ", ".join(str(member.value) for member in kind)
    if typing.get_origin(kind) is typing.Literal:
        return "one of " + ", ".join(str(value) for value in typing.get_args(kind))
    if kind is bool:
        return "true or false"
    if kind is int:
        low = next((m.ge for m in field.metadata if isinstance(m, Ge)), None)
        high = next((m.le for m in field.metadata if isinstance(m, Le)), None)
        return f"a whole number from {low} to {high}"
    return str(error["msg"]).lower()


def _raw(variable: str, fallback: Any) -> Any:
    """The value as written in the environment (names are case-insensitive there), else what
    pydantic saw: a `.env` entry, or an item of a list."""
    for key, value in os.environ.items():
        if key.upper() == variable:
            return value
    return fallback
