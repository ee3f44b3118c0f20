"""Real concurrency on PostgreSQL: two clerks accepting one case at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tongban.cases import services
from tongban.cases.models import Case, CaseEvent
from tongban.cases.services.intake import MaterialInput
from tongban.cases.tests import conftest
from tongban.core.errors import DomainError

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL row locks (postgres leg)"
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_clerks_accepting_at_once_one_succeeds_the_other_gets_a_conflict():
    world = conftest._seed()
    case = services.case_submit(
        service_item=world.item,
        channel="window",
        applicant_person=world.person,
        form_data={"applicant_name": "张伟", "credit_code": "9132010270000001XC"},
        materials=[
            MaterialInput(code="application", kind="upload", content=b"%PDF-1.4"),
            MaterialInput(code="layout", kind="upload", content=b"%PDF-1.4"),
        ],
    )
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def accept(i: int) -> None:
        try:
            barrier.wait()
            clerk = world.clerk if i == 0 else world.head
            services.case_accept(case_id=case.pk, actor=clerk, expected_version=1)
            outcomes[i] = "ok"
        except DomainError as exc:
            outcomes[i] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(str, outcomes)) == ["case_version_mismatch", "ok"]
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert Case.objects.get(pk=case.pk).version == 2


@pytest.mark.django_db(transaction=True)
def test_issuing_a_notice_does_not_hold_up_submissions_to_the_same_department():
    """The notice locks its case row only. Locking the joined department, item and
    guide rows too made every submission's foreign-key check wait for it, and
    deadlocked with the audit chain under load."""
    from django.db import transaction

    from tongban.cases import notices
    from tongban.cases.models import DocumentKind

    world = conftest._seed()

    def submit() -> Case:
        return services.case_submit(
            service_item=world.item,
            channel="window",
            applicant_person=world.person,
            form_data={"applicant_name": "张伟", "credit_code": "9132010270000001XC"},
            materials=[
                MaterialInput(code="application", kind="upload", content=b"%PDF-1.4"),
                MaterialInput(code="layout", kind="upload", content=b"%PDF-1.4"),
            ],
        )

    accepted = services.case_accept(case_id=submit().pk, actor=world.clerk)
    holding, release = threading.Event(), threading.Event()
    failures: list[Exception] = []

    def issue_and_hold() -> None:
        try:
            with transaction.atomic():
                notices.document_issue(case=accepted, kind=DocumentKind.ACCEPTANCE_NOTICE)
                holding.set()
                release.wait(30)
        except Exception as exc:  # noqa: BLE001  # reported by the main thread
            failures.append(exc)
            holding.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=issue_and_hold)
    thread.start()
    try:
        assert holding.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        second = submit()  # commits while the notice's transaction is still open
    finally:
        release.set()
        thread.join(timeout=60)
    assert not failures
    assert Case.objects.filter(pk=second.pk).exists()
