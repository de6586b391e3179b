"""Events -> run document: the pure projector, the statuses, the JSON Schema."""
