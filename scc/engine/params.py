"""Check parameters: each check declares a frozen dataclass of its parameters, with their defaults.

A rule pack's ``params:`` mapping is validated into that dataclass when the pack loads; an unknown
parameter or a value of the wrong type is a RulePackError naming the pack file and the rule. Checks
then read typed attributes (``params.severities``) instead of string keys.
"""
from __future__ import annotations

import types
from dataclasses import fields
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from scc.errors import RulePackError
from scc.report import CheckParams

__all__ = ["CheckParams", "describe_type", "param_names", "parse_params"]


P = TypeVar("P", bound=CheckParams)


def parse_params(cls: type[P], given: Any, where: str) -> P:
    """``given`` (a rule's ``params:`` mapping) as ``cls``; ``where`` names the pack file and rule."""
    if not isinstance(given, dict):
        raise RulePackError(f"{where}: params must be a mapping")
    names = param_names(cls)
    unknown = set(given) - set(names)
    if unknown:
        raise RulePackError(f"{where}: unknown params {sorted(unknown, key=str)} (this check takes {sorted(names)})")
    hints = get_type_hints(cls)
    for key, value in given.items():
        if not _fits(value, hints[key]):
            raise RulePackError(f"{where}: param {key} must be {describe_type(hints[key])}, got {value!r}")
    try:
        return cls(**given)
    except RulePackError as exc:   # a params class that checks its values (__post_init__) names no file
        raise RulePackError(f"{where}: {exc}") from exc


def param_names(cls: type[CheckParams]) -> list[str]:
    """The parameter names ``cls`` declares, in declaration order."""
    return [f.name for f in fields(cls)]


def describe_type(hint: Any) -> str:
    """A parameter type as a rule author reads it: 'int', 'list of str', 'str or none'."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(describe_type(arg) for arg in get_args(hint))
    if hint is type(None):
        return "none"
    if origin is list:
        return f"list of {describe_type(get_args(hint)[0])}"
    if origin is dict:
        key, value = get_args(hint)
        return f"mapping of {describe_type(key)} to {describe_type(value)}"
    return getattr(hint, "__name__", str(hint))


def _fits(value: Any, hint: Any) -> bool:
    origin = get_origin(hint)
    if hint is Any:
        return True
    if origin in (Union, types.UnionType):
        return any(_fits(value, arg) for arg in get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:   # YAML writes 95 for 95.0
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if origin is dict:
        key, item = get_args(hint)
        return isinstance(value, dict) and all(_fits(k, key) and _fits(v, item) for k, v in value.items())
    return isinstance(hint, type) and isinstance(value, hint)
