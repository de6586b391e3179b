#!/usr/bin/env python3
"""In-process A/B of two export steps on a generated log, interleaved rounds:

    .venv/bin/python testing/benchmarks/decode_ab.py /tmp/es-bench/events-100000.db [--rounds 5]

- structuring payloads with ``Converter.structure`` (dispatch per row) against each
  type's structure hook looked up once (what :func:`recorder.events.codec.structure`
  does);
- checking suites with jsonschema_rs' first error against ``is_valid``.

Both variants run in the same process, alternating, so machine load affects them alike;
compare the medians, not absolute times.
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import statistics
import time
from collections.abc import Callable

import orjson

from recorder.document.schema import _validator
from recorder.events import codec
from recorder.events.model import EVENT_TYPES
from recorder.export.run_json import fold_projection


def _median_times(variants: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median seconds per variant; the cyclic GC is off, as it is during an export."""
    times: dict[str, list[float]] = {name: [] for name in variants}
    gc.collect()
    gc.disable()
    for _ in range(rounds):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    gc.enable()
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with sqlite3.connect(args.db) as connection:
        rows = connection.execute("SELECT type, payload FROM events").fetchall()
    payloads = [(EVENT_TYPES[name], orjson.loads(text)) for name, text in rows]
    hooks = codec._fast_hooks()
    converter = codec._make_converter(detailed_validation=False)
    structure = _median_times({
        "Converter.structure": lambda: all(converter.structure(p, c) for c, p in payloads),
        "cached hook": lambda: all(hooks[c](p, c) for c, p in payloads),
    }, args.rounds)
    suites = list(fold_projection(args.db).document_parts().suites)
    validator = _validator("suite")
    validate = _median_times({
        "first error": lambda: [next(iter(validator.iter_errors(s)), None) for s in suites],
        "is_valid": lambda: all(validator.is_valid(s) for s in suites),
    }, args.rounds)
    print(f"structure {len(payloads):,} payloads: "
          + ", ".join(f"{k} {v:.3f} s" for k, v in structure.items()))
    print(f"validate {len(suites):,} suites: "
          + ", ".join(f"{k} {v:.3f} s" for k, v in validate.items()))


if __name__ == "__main__":
    main()
