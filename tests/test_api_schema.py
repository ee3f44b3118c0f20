"""Property-based API tests generated from our OpenAPI schema (schemathesis).

Every operation is called with generated valid and invalid input, as an
anonymous visitor, as a citizen and as a window clerk (bearer tokens).
Whatever the input, the answer is never a 5xx, every 4xx is RFC 9457
problem+json with a stable ``code`` and a ``detail`` (DESIGN §6), and the
status, content type and body are the ones the document declares (issue 9 #11).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

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


# Not only "no 5xx": every answer's status, content type and body must be the
# ones the OpenAPI document declares (issue 9 #11).
CHECKS = [
    not_a_server_error,
    problem_json_for_errors,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def headers(request):
    """The caller: anonymous, a citizen, or a window clerk with a data scope."""
    from tests.support.accounts import make_citizen, make_clerk
    from tongban.identity.services import token_create

    role = request.param
    if role == "anonymous":
        return {}
    user = make_citizen() if role == "citizen" else make_clerk()
    return {"Authorization": f"Bearer {token_create(user=user, name='schemathesis')[1]}"}


@schema.parametrize()
@pytest.mark.parametrize("headers", ["anonymous", "citizen", "clerk"], indirect=True)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
@pytest.mark.django_db(transaction=True)
def test_no_input_makes_the_api_fail_or_answer_without_a_code(case, headers):
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
