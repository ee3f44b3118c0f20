"""Property-based API tests generated from our OpenAPI schema (schemathesis).

Every operation is called with generated valid and invalid input. Whatever the
input, the answer is never a 5xx, and every 4xx is RFC 9457 problem+json with
a stable ``code`` and a ``detail`` (DESIGN §6).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


class ProblemShapeFailure(Failure):
    pass


def problem_json_for_errors(ctx, response, case) -> None:
    if not 400 <= response.status_code < 500:
        return None
    content_type = response.headers.get("Content-Type", response.headers.get("content-type", ""))
    if isinstance(content_type, list):
        content_type = content_type[0]
    body = json.loads(response.content)
    if not content_type.startswith("application/problem+json") or not body.get("code"):
        raise ProblemShapeFailure(
            operation=case.operation.label,
            title="4xx answer is not problem+json with a code",
            message=f"{response.status_code} {content_type}: {response.content[:300]!r}",
        )
    return None


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
@pytest.mark.django_db(transaction=True)
def test_no_input_makes_the_api_fail_or_answer_without_a_code(case):
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, problem_json_for_errors])
