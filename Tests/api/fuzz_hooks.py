"""Schemathesis hooks for the positive-data run of test_openapi_fuzz.py (loaded through SCHEMATHESIS_HOOKS)."""
import uuid

import schemathesis


@schemathesis.hook
def before_call(context, case, kwargs):
    """A fresh Idempotency-Key for every request: generated keys repeat, and the server rightly refuses a key reused
    with another request (422), which says nothing about whether the request itself is valid."""
    for name in list(case.headers or {}):
        if name.lower() == "idempotency-key":
            case.headers[name] = str(uuid.uuid4())
