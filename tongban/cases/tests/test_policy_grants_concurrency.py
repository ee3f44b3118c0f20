"""免申即享 on PostgreSQL: two matching runs at once, each delivering its grants
after its commit, then two deliveries of one grant at once, record one case."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from tongban.cases.models import Case, CaseEvent, PolicyGrant
from tongban.cases.services.policy_grants import case_record_policy_grant
from tongban.cases.tests import conftest
from tongban.cases.tests.test_policy_grants import NOW, _classified, _policy
from tongban.policies.models import PolicyMatch
from tongban.policies.services import policy_match_run, policy_publish

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_matching_runs_at_once_record_one_case():
    world = conftest._seed()
    accounts = conftest._seed_accounts(world)
    _classified(accounts.entity)
    policy = policy_publish(policy=_policy(world.item), now=NOW)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(work: Any) -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)
        finally:
            connections.close_all()

    def in_threads(work: Any) -> None:
        threads = [threading.Thread(target=run, args=(work,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    in_threads(lambda: policy_match_run(policy=policy, now=NOW))
    code = accounts.entity.credit_code
    in_threads(lambda: case_record_policy_grant(policy_id=policy.pk, credit_code=code))
    assert errors == []
    assert PolicyMatch.objects.filter(policy=policy).count() == 1
    assert PolicyGrant.objects.filter(match__policy=policy).count() == 1
    assert Case.objects.filter(applicant_entity=accounts.entity).count() == 1
    assert CaseEvent.objects.filter(action="grant_by_policy").count() == 1
