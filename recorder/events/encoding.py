"""Events as plain JSON-ready data, without cattrs: the write path's half of the codec.

A recording process only ever encodes, so it should not pay for importing cattrs and
building its converters. Each event class gets a small function, generated once from
its attrs fields on first use, that builds the dict the codec's cattrs converter would
build: fields in declaration order, a field equal to its default left out (compared
with ``!=``, a factory default against a fresh ``factory()``, as cattrs'
``omit_if_default`` does), nested attrs values (``Environment``, ``Failure``, ...) as
dicts of *all* their fields. Scalars, ``tuple[str, ...]`` and ``dict[str, str]`` go in
as they are (orjson writes a tuple as a JSON array). tests/events/test_encoding.py holds
it to the cattrs output for every event type.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from typing import Any

import attrs

from recorder.events.model import Event

Payload = dict[str, Any]

_SCALARS = (str, int, float, bool, type(None))

_encoders: dict[type, Callable[[Any], Payload]] = {}


def unstructure(event: Event) -> Payload:
    """``event`` as plain JSON-ready data, defaults omitted."""
    encoder = _encoders.get(type(event))
    if encoder is None:
        encoder = _encoders[type(event)] = _generate(type(event))
    return encoder(event)


def plain(value: Any) -> Any:
    """A nested value as plain data: attrs instances as dicts of all their fields."""
    if attrs.has(type(value)):
        return {field.name: plain(getattr(value, field.name))
                for field in attrs.fields(type(value))}
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def _as_is(annotation: Any) -> bool:
    """Whether a field of this (resolved) type is JSON-ready as it is."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal or annotation in _SCALARS:
        return True
    if origin is typing.Union or origin is types.UnionType:
        return all(_as_is(arg) for arg in args)
    return (origin is tuple and args == (str, ...)) or (origin is dict and args == (str, str))


def _generate(cls: type) -> Callable[[Any], Payload]:
    """Python source for ``cls``'s encoder, compiled once (as cattrs does)."""
    attrs.resolve_types(cls)  # the annotations are strings until resolved (cattrs does it too)
    namespace: dict[str, Any] = {"plain": plain}
    literal: list[str] = []  # the leading fields without a default
    statements: list[str] = []
    for index, field in enumerate(attrs.fields(cls)):
        value = f"e.{field.name}" if _as_is(field.type) else f"plain(e.{field.name})"
        if field.default is attrs.NOTHING:
            if statements:
                statements.append(f"    payload[{field.name!r}] = {value}\n")
            else:
                literal.append(f"{field.name!r}: {value}")
            continue
        default = f"d{index}"
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[default] = field.default.factory
            default += "()"
        else:
            namespace[default] = field.default
        statements.append(f"    if e.{field.name} != {default}:\n"
                          f"        payload[{field.name!r}] = {value}\n")
    source = (f"def encode(e):\n    payload = {{{', '.join(literal)}}}\n"
              f"{''.join(statements)}    return payload\n")
    exec(compile(source, f"<recorder encoder for {cls.__name__}>", "exec"), namespace)  # noqa: S102
    encoder: Callable[[Any], Payload] = namespace["encode"]
    return encoder
