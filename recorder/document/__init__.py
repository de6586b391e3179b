"""Events -> run document: the pure projector, the statuses, the JSON Schema."""

from typing import Any

#: A run document (or a part of one) as plain JSON data.
Document = dict[str, Any]
