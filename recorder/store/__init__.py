"""Where events live: journals, the append-only SQLite store, its verifier."""
