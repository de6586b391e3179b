"""The one place where events become JSON and JSON becomes events.

Encoding builds each payload without cattrs (:mod:`recorder.events.encoding`), so a
recording process never imports it; decoding uses one cattrs converter, configured
here and built on first use. The stored ``type`` column is the tag of the
union: it picks the class to structure the payload into. Each type has a schema
version; payloads written with an older version are upcast (dict to dict, one
version at a time) before structuring, so stored events are never rewritten.
"""

from __future__ import annotations

import functools
import json
import math
from typing import TYPE_CHECKING, Any

import orjson

from recorder.errors import MalformedEventError, UnknownEventError
from recorder.events import encoding, payloads
from recorder.events.model import EVENT_TYPES, TYPE_OF, Event
from recorder.events.text import valid_data

if TYPE_CHECKING:
    import cattrs

Payload = dict[str, Any]

#: How error messages name an event when the caller does not say which row it is.
DEFAULT_WHERE = "event"

def _structure_duration(value: Any, _: type) -> float:
    return math.nan if value is None else float(value)


def _make_converter(detailed_validation: bool = True) -> cattrs.Converter:
    import cattrs
    from cattrs.gen import make_dict_unstructure_fn

    converter = cattrs.Converter(forbid_extra_keys=False,
                                 detailed_validation=detailed_validation)
    # Every float in the vocabulary is a duration. JSON has no NaN or infinity, so orjson
    # writes an impossible one (a test patched the clock) as null; it reads back as NaN, and
    # the projector shows it as null with a note instead of the row being rejected.
    converter.register_structure_hook(float, _structure_duration)
    for cls in EVENT_TYPES.values():
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True)
        )
    return converter


@functools.cache
def converter() -> cattrs.Converter:
    """The converter that structures payloads, saying exactly which field is wrong."""
    return _make_converter()


@functools.cache
def _fast_hooks() -> dict[type, Any]:
    """Each type's structure function from a converter without error paths (20%
    quicker), looked up once: ``Converter.structure`` dispatches on the class for every
    call, which cost about a tenth of decoding a row. A payload it rejects is structured
    again by :func:`converter` to say exactly which field is wrong."""
    fast = _make_converter(detailed_validation=False)
    return {cls: fast.get_structure_hook(cls) for cls in EVENT_TYPES.values()}


def type_and_version(event: Event) -> tuple[str, int]:
    """The stored type tag and current schema version of ``event``."""
    return TYPE_OF[type(event)], event.VERSION


def unstructure(event: Event) -> Payload:
    """``event`` as plain JSON-ready data (defaults omitted to keep rows small)."""
    return encoding.unstructure(event)


def encode(event: Event) -> str:
    """``event``'s payload as compact JSON text, every string in it valid Unicode.

    This is where text enters the log, so this is where it is made valid, once: a lone
    surrogate (odd captured output, a file name decoded with ``surrogateescape``)
    becomes U+FFFD (:func:`recorder.events.text.valid_text`). The check costs nothing
    for valid text: orjson refuses the payload only when some string is invalid."""
    return encode_payload(unstructure(event))


def encode_payload(payload: Payload) -> str:
    """A payload (:func:`unstructure`'s, or :func:`recorder.events.encoding.builder`'s)
    as :func:`encode` writes it (:func:`recorder.events.payloads.encode_payload`)."""
    return payloads.encode_payload(payload)


def structure(
    type_name: str, version: int, payload: Payload, *, where: str = DEFAULT_WHERE
) -> Event:
    """Build the event of ``type_name`` from ``payload``, upcasting old versions.

    ``where`` names the row in error messages (for example ``"event seq 42"``).
    """
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise UnknownEventError(
            f"{where} has unknown type {type_name!r}; it was probably written by a newer "
            "recorder: upgrade recorder to read it"
        )
    current = cls.VERSION
    if version > current:
        raise UnknownEventError(
            f"{where} is {type_name!r} version {version}, newer than the version {current} "
            "this recorder reads: upgrade recorder to read it"
        )
    if not isinstance(payload, dict):
        raise MalformedEventError(f"{where} ({type_name}): payload is not a JSON object")
    while version < current:
        upcast = cls.UPCASTERS.get(version)
        if upcast is None:
            raise UnknownEventError(
                f"{where} is {type_name!r} version {version}, which this recorder cannot "
                "upgrade: export it with the recorder version that wrote it"
            )
        payload = upcast(payload)
        version += 1
    try:
        fast: Event = _fast_hooks()[cls](payload, cls)
        return fast
    except Exception:  # noqa: S110 - the detailed converter below explains the failure
        pass
    try:
        event: Event = converter().structure(payload, cls)
    except Exception as error:  # cattrs raises ClassValidationError / plain errors
        raise MalformedEventError(
            f"{where} ({type_name}): {_describe_structure_error(error)}; the row is "
            "damaged or was written by a broken emitter"
        ) from error
    return event


def decode(type_name: str, version: int, payload_text: str, *, where: str = DEFAULT_WHERE) -> Event:
    """Parse stored payload JSON text and structure it (see :func:`structure`)."""
    try:
        payload = orjson.loads(payload_text)
    except orjson.JSONDecodeError:
        payload = _loads_leniently(payload_text, type_name, where)
    return structure(type_name, version, payload, where=where)


def _loads_leniently(payload_text: str, type_name: str, where: str) -> Any:
    """The stdlib parser accepts escaped lone surrogates, which orjson refuses (rows
    written before :func:`encode` made text valid): they are made valid here."""
    try:
        return valid_data(json.loads(payload_text, parse_constant=_refuse_constant))
    except (ValueError, TypeError, RecursionError) as error:
        raise MalformedEventError(
            f"{where} ({type_name}): payload is not valid JSON ({error}); the row is damaged"
        ) from error


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _describe_structure_error(error: Exception) -> str:
    import cattrs

    if isinstance(error, cattrs.BaseValidationError):
        messages = cattrs.transform_error(error, path="payload")
        return "; ".join(messages)
    return f"{type(error).__name__}: {error}"
