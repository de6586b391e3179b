"""The JSON Schemas in ``schemas/`` and validation against them.

The schemas ship inside the wheel (``recorder/schemas``); in a source checkout they
are read from the repository's top-level ``schemas/`` folder.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from recorder.errors import InvalidDocumentError

RUN_SCHEMA = "run.schema.json"


def schema_path(name: str) -> Path:
    """Where the schema called ``name`` lives (packaged copy first, then checkout)."""
    packaged = resources.files("recorder") / "schemas" / name
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "schemas" / name


@functools.cache
def load_schema(name: str = RUN_SCHEMA) -> dict[str, Any]:
    with schema_path(name).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@functools.cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = load_schema(name)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def validate_document(document: Any, *, source: str = "run document") -> None:
    """Raise :class:`InvalidDocumentError` naming ``source`` and the first bad field."""
    error = jsonschema.exceptions.best_match(_validator(RUN_SCHEMA).iter_errors(document))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise InvalidDocumentError(
            f"{source} does not match schemas/{RUN_SCHEMA} at {where}: {error.message}; "
            "export it again with 'recorder export'"
        )
