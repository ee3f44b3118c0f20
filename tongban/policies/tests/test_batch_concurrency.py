"""The one-pass matcher on PostgreSQL, where it writes with COPY: two runs at
once write each match once and push it once (one SMS, one ``policy.granted``
naming the business), and a third run adds nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from tongban.core.identifiers import generate_check_digit_resident
from tongban.core.models import Notification, OutboxMessage
from tongban.identity.services import legal_entity_register, person_register
from tongban.policies.batch import policy_match_all
from tongban.policies.models import PolicyMatch
from tongban.policies.services import GRANTED_EVENT, policy_opt_in_set
from tongban.policies.tests import test_matching
from tongban.policies.tests.test_matching import NOW, published

registry = test_matching.registry  # the hand-made 法人库 records (a fixture)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's (postgres leg)"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_write_and_push_each_match_once(registry, sms, grant_item):
    first17 = "32010219800101001"
    boss = person_register(
        name="张伟", id_number=first17 + generate_check_digit_resident(first17), phone="13800000009"
    )
    code = registry["match"]
    policy_opt_in_set(
        legal_entity=legal_entity_register(
            credit_code=code, name="测试企业70000001", legal_representative=boss
        ),
        sms=True,
    )
    plain = published()
    automatic = published(
        document_no="宁政办发〔2027〕2号",
        rules_raw={"region": ["320102"], "size": ["small"]},
        automatic=True,
        service_item=grant_item,
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[Any] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(policy_match_all(now=NOW))
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    stored = PolicyMatch.objects.count()
    assert stored > 2 and sum(r.matched for r in results) == stored
    assert {m.policy_id for m in PolicyMatch.objects.filter(credit_code=code)} == {
        plain.pk,
        automatic.pk,
    }
    assert Notification.objects.filter(purpose="policy.match").count() == 2
    granted = [
        m.payload
        for m in OutboxMessage.objects.filter(event=GRANTED_EVENT)
        if code in m.payload["credit_codes"]
    ]
    assert len({m.event_id for m in OutboxMessage.objects.filter(event=GRANTED_EVENT)}) == 1
    assert granted and all(p["policy_id"] == automatic.pk for p in granted)
    assert policy_match_all(now=NOW).matched == 0
    assert PolicyMatch.objects.count() == stored
