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
from typing import Any, ParamSpec, cast

import attrs

from recorder.events.model import Event

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
    """Python source for ``cls``'s encoder (from an instance ``e``) or builder (from
    keyword arguments), compiled once (as cattrs does)."""
    attrs.resolve_types(cls)  # the annotations are strings until resolved (cattrs does it too)
    namespace: dict[str, Any] = {"plain": plain, "MISSING": _MISSING}
    literal: list[str] = []  # the leading fields without a default
    statements: list[str] = []
    parameters: list[str] = []
    for index, field in enumerate(attrs.fields(cls)):
        if field.converter is not None or field.validator is not None or not field.init:
            raise TypeError(f"{cls.__name__}.{field.name}: a builder cannot convert, "
                            "validate or skip fields")  # the model has none of them
        name = field.name if as_builder else f"e.{field.name}"
        value = name if _as_is(field.type) else f"plain({name})"
        if field.default is attrs.NOTHING:
            parameters.append(field.name)
            if statements:
                statements.append(f"    payload[{field.name!r}] = {value}\n")
            else:
                literal.append(f"{field.name!r}: {value}")
            continue
        default = f"d{index}"
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[default] = field.default.factory
            parameters.append(f"{field.name}=MISSING")
            test = f"{name} is not MISSING and {name} != {default}()" if as_builder \
                else f"{name} != {default}()"
        else:
            namespace[default] = field.default
            parameters.append(f"{field.name}={default}")
            test = f"{name} != {default}"
        statements.append(f"    if {test}:\n        payload[{field.name!r}] = {value}\n")
    signature = f"*, {', '.join(parameters)}" if as_builder else "e"
    source = (f"def encode({signature}):\n    payload = {{{', '.join(literal)}}}\n"
              f"{''.join(statements)}    return payload\n")
    kind = "builder" if as_builder else "encoder"
    exec(compile(source, f"<recorder {kind} for {cls.__name__}>", "exec"), namespace)  # noqa: S102
    encoder: Callable[..., Payload] = namespace["encode"]
    return encoder


class _Missing:
    """A factory-default field the caller left out (its default is left out too)."""

    def __repr__(self) -> str:
        return "MISSING"


_MISSING = _Missing()
