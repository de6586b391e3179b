"""The JSON Schemas in ``schemas/`` and validation against them.

Validation uses jsonschema-rs (a compiled validator for draft 2020-12): checking a
200,000-case document takes well under a second, where the pure-Python validator
took minutes. Documents can be checked whole (:func:`validate_document`) or in parts
as they are streamed (the head with no suites, then :func:`validate_suite` for each).

The schemas ship inside the wheel (``recorder/schemas``); in a source checkout they
are read from the repository's top-level ``schemas/`` folder.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

from recorder.errors import InvalidDocumentError

RUN_SCHEMA = "run.schema.json"


def schema_path(name: str) -> Path:
    """Where the schema called ``name`` lives (packaged copy first, then checkout)."""
    packaged = resources.files("recorder") / "schemas" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "schemas" / name


@functools.cache
def load_schema(name: str = RUN_SCHEMA) -> dict[str, Any]:
    with schema_path(name).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@functools.cache
def _validator(definition: str | None = None) -> Any:
    """The whole document's validator, or one for ``$defs/<definition>``."""
    schema = load_schema(RUN_SCHEMA)
    if definition is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"],
                  "$ref": f"#/$defs/{definition}"}
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def _check(validator: Any, instance: Any, source: str, prefix: tuple[Any, ...] = ()) -> None:
    if validator.is_valid(instance):  # quicker than asking for the first error
        return
    error = next(iter(validator.iter_errors(instance)), None)
    if error is not None:
        where = "/".join(str(part) for part in (*prefix, *error.instance_path)) or "(top level)"
        raise InvalidDocumentError(
            f"{source} does not match schemas/{RUN_SCHEMA} at {where}: {error.message}; "
            "export it again with 'recorder export'"
        )


def validate_document(document: Any, *, source: str = "run document") -> None:
    """Raise :class:`InvalidDocumentError` naming ``source`` and the first bad field."""
    _check(_validator(), document, source)


def validate_suite(suite: Any, index: int, *, source: str = "run document") -> None:
    """Validate one entry of ``suites`` (``index`` names it in the error)."""
    _check(_validator("suite"), suite, source, ("suites", index))


def case_is_valid(case: Any) -> bool:
    """Whether one case (in the on-disk form a 2.x file stores) matches the schema."""
    return bool(_validator("case").is_valid(case))


def case_check() -> Callable[[Any], bool]:
    """:func:`case_is_valid` as one callable, to check many cases with."""
    check: Callable[[Any], bool] = _validator("case").is_valid
    return check


def validate_case(case: Any, suite: int, index: int, *, source: str = "run document") -> None:
    """Validate one case of ``suites[suite]`` (the error names it by both indexes)."""
    _check(_validator("case"), case, source, ("suites", suite, "cases", index))
