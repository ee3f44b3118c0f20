"""Request plumbing, one module per concern; settings name the classes from here.

``proxies``: the client's address behind trusted proxies; ``headers``:
security headers (CSP nonce, Cache-Control, Retry-After); ``input``: the one
input boundary (characters, body size); ``preconditions``: strong If-Match;
``problems``: problem+json for every API error; ``idempotency``:
``Idempotency-Key``.
"""

from tongban.core.middleware.headers import SecurityHeadersMiddleware, csp_for, csp_nonce
from tongban.core.middleware.idempotency import IdempotencyMiddleware
from tongban.core.middleware.input import InputBoundaryMiddleware, NulCharacterMiddleware
from tongban.core.middleware.preconditions import StrongIfMatchMiddleware
from tongban.core.middleware.problems import API_PREFIX, ApiProblemMiddleware
from tongban.core.middleware.proxies import ClientAddressMiddleware, client_address

__all__ = [
    "API_PREFIX",
    "ApiProblemMiddleware",
    "ClientAddressMiddleware",
    "IdempotencyMiddleware",
    "InputBoundaryMiddleware",
    "NulCharacterMiddleware",
    "SecurityHeadersMiddleware",
    "StrongIfMatchMiddleware",
    "client_address",
    "csp_for",
    "csp_nonce",
]
