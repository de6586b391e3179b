# Developer shortcuts. The benchmarks are not part of the normal test run.
PYTHON ?= .venv/bin/python

.PHONY: bench-deps bench bench-quick bench-full bench-history profile conformance

bench-deps:
	$(PYTHON) -m pip install -q -r testing/benchmarks/requirements.txt

## bench: the issue-7 benchmark (10,000 tests, 100k and 1M events; ~20 minutes)
bench:
	$(PYTHON) testing/benchmarks/bench.py --json testing/reports/bench.json $(BENCH_ARGS)

## bench-quick: a smoke run (1,000 tests, 100k events; ~2 minutes)
bench-quick:
	$(PYTHON) testing/benchmarks/bench.py --quick $(BENCH_ARGS)

## bench-full: also export 3M events, and write testing/benchmarks/BENCHMARKS.md
bench-full:
	$(PYTHON) testing/benchmarks/bench.py --full --json testing/reports/bench.json \
		--markdown testing/benchmarks/BENCHMARKS.md $(BENCH_ARGS)

## profile: py-spy profiles of a recorded pytest run (serial, -n 2) and of an export
profile:
	$(PYTHON) testing/benchmarks/profiling.py $(PROFILE_ARGS)

## bench-history: recorder history on 2,000 runs x 2,000 cases, local and loopback S3 (~10 minutes)
bench-history:
	$(PYTHON) testing/benchmarks/history_bench.py --workdir testing/reports/history-bench $(BENCH_ARGS)

## conformance: five real suites x (serial, -n 2, --reruns 1) against pytest-reportlog (~10 minutes)
conformance:
	$(PYTHON) testing/conformance/run.py --allow-known teardown-error-counted-twice \
		--allow-known subtest-failures-counted --allow-known rerun-counted-per-phase $(CONFORMANCE_ARGS)
