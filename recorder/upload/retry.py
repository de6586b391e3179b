"""Which S3 failures are transient (throttling, 5xx, timeouts) and how long to wait
before the next attempt: exponential backoff with jitter, a bounded number of times."""

from __future__ import annotations

import math
import random
from typing import Any

import attrs

from recorder.errors import UsageError

THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
    "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "SlowDown",
})
TRANSIENT_CODES = frozenset({
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalError",
    "ServiceUnavailable", "ConditionalRequestConflict",
})
TRANSIENT_STATUSES = frozenset({409, 429, 500, 502, 503, 504})


@attrs.frozen
class RetryPolicy:
    """Up to ``retries`` more attempts after the first; the n-th wait is drawn from
    [wait * 2**(n-1) / 2, wait * 2**(n-1)] and capped at ``max_wait`` seconds."""

    retries: int = 4
    wait: float = 1.0
    max_wait: float = 20.0

    def __attrs_post_init__(self) -> None:
        if not (math.isfinite(self.wait) and math.isfinite(self.max_wait)):
            raise UsageError(f"waits ({self.wait}, {self.max_wait}) must be finite numbers "
                             "of seconds: pass --retry-wait like 1.0")
        if self.retries < 0 or self.wait < 0 or self.max_wait < 0:
            raise UsageError(
                f"retries ({self.retries}) and waits ({self.wait}, {self.max_wait}) "
                "must not be negative: pass --retries 0 or more, --retry-wait 0 or more"
            )

    def delay(self, retry: int) -> float:
        # The exponent is bounded: 2 ** 1099 seconds is no float, and any wait past
        # 2 ** 64 times the first one is capped at max_wait anyway.
        ceiling = min(self.max_wait, self.wait * 2.0 ** min(retry - 1, 64))
        return random.uniform(ceiling / 2, ceiling)


def error_code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code") or http_status(error))


def http_status(error: Any) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def is_transient(error: Any) -> bool:
    code = error_code(error)
    return (code in THROTTLING_CODES or code in TRANSIENT_CODES
            or http_status(error) in TRANSIENT_STATUSES)
