"""Pydantic's validation errors in plain English for organisers, at paths named by id.

``modules.0.stages.1`` tells an organiser nothing; ``modules.ledelse.stages.samling`` does.
"Input should be a valid dictionary" neither; "should be one text per language" does.
"""

from __future__ import annotations

import difflib
import re
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.curriculum.problems import Problem

#: Keys that name a list entry in data files, tried in this order.
_ENTRY_KEYS = ("id", "module", "group")
_SLUG_FIX = "use lower-case letters a-z, digits and '-', at most 24 characters, e.g. 'forarbeid'"
_COUNTRY_FIX = 'use NO for Norway or SE for Sweden, in quotes: "NO"'
_DATE_FIX = "write the date as YYYY-MM-DD, e.g. 2027-02-09"
_TIME_FIX = 'write the time as HH:MM in quotes, e.g. "09:00"'


def entry_key(items: list[Any], index: int) -> str:
    """How a list entry is named in a path: its id (or module, or group), else its number."""
    item = items[index] if 0 <= index < len(items) else None
    if isinstance(item, dict):
        for key in _ENTRY_KEYS:
            value = item.get(key)
            if isinstance(value, str) and value:
                same = [i for i in items if isinstance(i, dict) and i.get(key) == value]
                if len(same) == 1:
                    return value
                date = item.get("date")
                return f"{value}.{date}" if date is not None else f"{value}.{index}"
    return str(index)


def id_path(data: Any, loc: tuple[int | str, ...]) -> str:
    """The dotted path of ``loc`` inside ``data``, with list indices replaced by ids."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue  # a validator's name in the location, not a field
        if isinstance(part, int) and isinstance(node, list):
            parts.append(entry_key(node, part))
            node = node[part] if 0 <= part < len(node) else None
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for info in model.model_fields.values():
        stack: list[Any] = [info.annotation]
        while stack:
            hint = stack.pop()
            if isinstance(hint, type) and issubclass(hint, BaseModel):
                names |= _field_names(hint, seen)
            stack.extend(typing.get_args(hint))
    return names


def known_fields() -> set[str]:
    from bot.domain.cohort import Cohort
    from bot.domain.programme import Programme

    seen: set[type[BaseModel]] = set()
    return _field_names(Programme, seen) | _field_names(Cohort, seen)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def plain(item: ErrorDetails) -> tuple[str, str]:
    """(what is wrong, how to fix it) for one pydantic error, in organisers' words."""
    kind = item["type"]
    ctx: dict[str, Any] = dict(item.get("ctx") or {})
    value = item.get("input")
    field = next((str(p) for p in reversed(item["loc"]) if isinstance(p, str)), "")
    if kind == "missing":
        return "is missing", f"add '{field}:'" if field else "add it"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(field, sorted(known_fields()), n=1)
        fix = f"did you mean '{close[0]}'?" if close else "remove it or check the spelling"
        return f"'{field}' is not a field Kompis knows", fix
    if kind == "string_pattern_mismatch":
        if field == "country":
            return f"{_shown(value)} is not a country Kompis has holidays for", _COUNTRY_FIX
        return f"{_shown(value)} cannot be used as an id", _SLUG_FIX
    if kind.startswith("date_"):
        return f"{_shown(value)} is not a date", _DATE_FIX
    if kind.startswith("time_"):
        return f"{_shown(value)} is not a time of day", _TIME_FIX
    if kind in ("enum", "literal_error"):
        return f"{_shown(value)} is not one of the choices", f"use one of {ctx.get('expected')}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if field in ("title", "summary", "body", "text", "explanation", "name", "task"):
            return (
                f"{_shown(value)} should be one text per language",
                f"write it as {field}: {{nb: ..., sv: ...}}",
            )
        return f"{_shown(value)} should be a group of fields", "indent the fields under it"
    if kind == "list_type":
        return f"{_shown(value)} should be a list", "write one '- ' line per entry"
    if kind in ("string_type", "str_type"):
        return f"{_shown(value)} should be text", "put it in quotes"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{_shown(value)} should be a whole number", "write digits only, e.g. 7"
    if kind in ("float_type", "float_parsing"):
        return f"{_shown(value)} should be a number", "write digits only, e.g. 7"
    if kind in ("bool_type", "bool_parsing"):
        return f"{_shown(value)} should be true or false", "write true or false"
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return f"{_shown(value)} is too small", f"use {limit} or more"
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        return f"{_shown(value)} is too large", f"use {limit} or less"
    if kind == "too_short":
        return "is empty", f"give at least {ctx.get('min_length', 1)}"
    if kind == "too_long":
        return "has too many entries", f"give at most {ctx.get('max_length')}"
    if kind == "value_error":
        message = str(ctx.get("error", item["msg"])).removeprefix("Value error, ")
        return message, ""
    message = re.sub(r"^Input should be", "should be", item["msg"])
    return f"{_shown(value)}: {message}", ""


def from_validation_error(
    file: str, error: ValidationError, data: Any = None, prefix: str = ""
) -> list[Problem]:
    problems = []
    for item in error.errors():
        path = id_path(data, item["loc"])
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        message, fix = plain(item)
        if message.startswith("unknown timezone"):  # the cohort's own check, at the top
            path = f"{prefix}.timezone" if prefix else "timezone"
            fix = "use a name like Europe/Oslo or Europe/Stockholm"
        problems.append(Problem(file, path, message, fix))
    return problems
