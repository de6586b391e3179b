"""Events as plain JSON-ready data, without cattrs: the write path's half of the codec.

A recording process only ever encodes, so it should not pay for importing cattrs and
building its converters. Each event class gets a small function, generated once from
its attrs fields on first use (by :func:`recorder.events.payloads.compile_encoder`, the
generator of the recording kinds' builders too), that builds the dict the codec's
cattrs converter would build: fields in declaration order, a field equal to its default
left out (compared with ``!=``, a factory default against a fresh ``factory()``, as
cattrs' ``omit_if_default`` does), nested attrs values (``Environment``, ``Failure``,
...) as dicts of *all* their fields. Scalars, ``tuple[str, ...]`` and ``dict[str, str]``
go in as they are (orjson writes a tuple as a JSON array). tests/events/test_encoding.py
holds it to the cattrs output for every event type.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any, ParamSpec, cast

import attrs

from recorder.events.model import Event
from recorder.events.payloads import REQUIRED, Factory, Field, compile_encoder

Payload = dict[str, Any]
P = ParamSpec("P")

_SCALARS = (str, int, float, bool, type(None))

_encoders: dict[type, Callable[[Any], Payload]] = {}


def unstructure(event: Event) -> Payload:
    """``event`` as plain JSON-ready data, defaults omitted."""
    encoder = _encoders.get(type(event))
    if encoder is None:
        encoder = _encoders[type(event)] = _generate(type(event))
    return encoder(event)


def _as_is(annotation: Any) -> bool:
    """Whether a field of this (resolved) type is JSON-ready as it is."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal or annotation in _SCALARS:
        return True
    if origin is typing.Union or origin is types.UnionType:
        return all(_as_is(arg) for arg in args)
    return (origin is tuple and args == (str, ...)) or (origin is dict and args == (str, str))


def builder(cls: Callable[P, Event]) -> Callable[P, Payload]:
    """A function taking ``cls``'s fields as keyword arguments and returning the payload
    :func:`unstructure` gives for ``cls(**fields)``, without building the attrs object:
    the hot path of a recording process (phases and cases, several per test) calls it.
    tests/events/test_encoding.py holds it to the model path for every event type."""
    made = _builders.get(cls)
    if made is None:
        made = _builders[cls] = _generate(cast(type, cls), as_builder=True)
    return made


_builders: dict[Callable[..., Event], Callable[..., Payload]] = {}


def _generate(cls: type, *, as_builder: bool = False) -> Callable[..., Payload]:
    """``cls``'s encoder (from an instance ``e``) or builder (from keyword arguments):
    its attrs fields as a :data:`~recorder.events.payloads.Field` table, compiled by
    :func:`~recorder.events.payloads.compile_encoder`, as each recording kind is."""
    attrs.resolve_types(cls)  # the annotations are strings until resolved (cattrs does it too)
    fields: list[Field] = []
    for field in attrs.fields(cls):
        if field.converter is not None or field.validator is not None or not field.init:
            raise TypeError(f"{cls.__name__}.{field.name}: a builder cannot convert, "
                            "validate or skip fields")  # the model has none of them
        default: Any = field.default
        if default is attrs.NOTHING:
            default = REQUIRED
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = Factory(default.factory)
        fields.append((field.name, default, not _as_is(field.type)))
    kind = "builder" if as_builder else "encoder"
    return compile_encoder(tuple(fields), f"{kind} for {cls.__name__}", as_builder=as_builder)
