#!/usr/bin/env bash
# Run the test suite with recording, then export the run document as the final step.
#
#   testing/run-all-tests.sh [PYTEST ARGS...]
#
# Events go to testing/reports/test-results.db (RECORDER_DB overrides), the document to
# testing/reports/test-run-results.json (RECORDER_OUT overrides). The export runs even
# when tests fail, and a summary of the run is printed after it (and appended to
# $GITHUB_STEP_SUMMARY as markdown when that is set). Exit status: the export's if it
# failed, else pytest's.
# The HTML report of the run goes to testing/reports/report.html (RECORDER_REPORT
# overrides) beside the document; the GitHub step summary links to it.
# This script needs no storage credentials: uploading is a separate CI step.
set -uo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

if [[ -z "${PYTHON:-}" ]]; then
  if [[ -z "${VIRTUAL_ENV:-}" && -x .venv/bin/python ]]; then
    PYTHON=.venv/bin/python
  else
    PYTHON=python3
  fi
fi

db=${RECORDER_DB:-testing/reports/test-results.db}
out=${RECORDER_OUT:-testing/reports/test-run-results.json}
report=${RECORDER_REPORT:-$(dirname "$out")/report.html}
mkdir -p "$(dirname "$db")" "$(dirname "$out")"

run_id=$("$PYTHON" -c 'from recorder.store.emitter import new_run_id; print(new_run_id())') || {
  echo "Error: cannot import recorder with $PYTHON: install it first (pip install -e '.[test]')" >&2
  exit 3
}

# RECORDER_DB is passed as an option, not inherited, so pytest runs started by the
# tests themselves do not record into this run.
env -u RECORDER_DB "$PYTHON" -m pytest --recorder-db "$db" --recorder-run-id "$run_id" "$@"
tests_status=$?

# RECORDER_EXPORT_ARGS: extra export options, e.g. --compact (one line, for Athena/Trino).
# shellcheck disable=SC2086
"$PYTHON" testing/scripts/export-results.py --db "$db" --out "$out" --run-id "$run_id" \
  ${RECORDER_EXPORT_ARGS:-}
export_status=$?
if [[ $export_status -ne 0 ]]; then
  echo "Error: the test artifact was not generated (export exit $export_status)" >&2
  exit "$export_status"
fi

"$PYTHON" -m recorder summary --json "$out" || echo "warning: could not print the run summary" >&2
report_written=0
"$PYTHON" -m recorder report --json "$out" --out "$report" && report_written=1 \
  || echo "warning: could not write the HTML report $report" >&2
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  "$PYTHON" -m recorder summary --json "$out" --markdown >> "$GITHUB_STEP_SUMMARY" \
    || echo "warning: could not write the GitHub step summary" >&2
  if [[ $report_written -eq 1 ]]; then
    where="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
    printf '\n📊 HTML report: `%s` in the [`test-run-results` artifact](%s#artifacts)\n' \
      "$(basename "$report")" "$where" >> "$GITHUB_STEP_SUMMARY"
  fi
fi

exit "$tests_status"
