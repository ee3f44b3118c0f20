"""Request plumbing, one module per concern; settings name the classes from here.

``input``: the one input boundary (characters, body size); ``headers``:
security headers; ``problems``: problem+json for every API error;
``idempotency``: ``Idempotency-Key``.
"""

from tongban.core.middleware.headers import CSP, SecurityHeadersMiddleware
from tongban.core.middleware.idempotency import IdempotencyMiddleware
from tongban.core.middleware.input import NulCharacterMiddleware
from tongban.core.middleware.problems import API_PREFIX, ApiProblemMiddleware

__all__ = [
    "API_PREFIX",
    "CSP",
    "ApiProblemMiddleware",
    "IdempotencyMiddleware",
    "NulCharacterMiddleware",
    "SecurityHeadersMiddleware",
]
