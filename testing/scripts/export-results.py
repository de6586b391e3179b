#!/usr/bin/env python3
"""Export the recorded test run as testing/reports/test-run-results.json.

This is ``recorder export`` under the name the team's docs use: same options, same
defaults (testing/reports/test-results.db in, testing/reports/test-run-results.json
out), same exit codes. All the work is done by the recorder library.
"""

from __future__ import annotations

import sys

from recorder.cli import main

if __name__ == "__main__":
    sys.exit(main(["export", *sys.argv[1:]]))
