"""One submission, one writing transaction (issue 12, item 2).

``POST /api/v1/cases`` claims its ``Idempotency-Key``, writes the case (its
materials, history, SMS, outbox rows and their delivery tasks, audit event)
and stores its answer in one transaction; the case number is taken before it,
in a transaction of its own that waits for no WAL flush (``core.counters``).
A retry with the same key gets the first answer and never a second case:
sequentially here (any database), in parallel in
``test_submission_concurrency`` (PostgreSQL, where the retry's claim waits on
the first's uncommitted row).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.test import Client

from tongban.cases.models import Case, CaseMaterial
from tongban.core.identifiers import generate_credit_code
from tongban.core.models import IdempotencyRecord

PDF64 = base64.b64encode(b"%PDF-1.4 test document").decode("ascii")
CASES = "/api/v1/cases"


def body(world: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "implementation_code": world.item.implementation_code,
        "channel": "online",
        "applicant": {"kind": "person"},
        "form": {"applicant_name": "张伟", "credit_code": generate_credit_code("9132010270000001")},
        "materials": [
            {"code": "application", "kind": "upload", "file_base64": PDF64, "file_name": "a.pdf"},
            {"code": "layout", "kind": "upload", "file_base64": PDF64},
        ],
    }
    data.update(changes)
    return data


def post(client: Client, data: dict[str, Any], key: str) -> Any:
    return client.post(
        CASES,
        json.dumps(data, ensure_ascii=False),
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


def test_a_retry_with_the_same_key_gets_the_stored_receipt_and_no_second_case(world, accounts):
    client = Client(headers=accounts.bearer(accounts.citizen))
    first = post(client, body(world), "retry-1")
    assert first.status_code == 201, first.content
    receipt = first.json()
    assert first["Location"] == f"{CASES}/{receipt['case_no']}" == receipt["url"]
    assert first["ETag"] == '"1"'
    assert {m["code"] for m in receipt["materials"]} == {"application", "layout"}
    again = post(client, body(world), "retry-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert (again["Location"], again["ETag"]) == (first["Location"], first["ETag"])
    assert Case.objects.filter(submitted_by=accounts.citizen).count() == 1
    record = IdempotencyRecord.objects.get(key="retry-1")
    assert (record.status_code, bytes(record.response_body or b"")) == (201, first.content)


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(world, accounts):
    client = Client(headers=accounts.bearer(accounts.citizen))
    assert post(client, body(world), "retry-2").status_code == 201
    changed = body(world, materials=[body(world)["materials"][0]])
    refused = post(client, changed, "retry-2")
    assert refused.status_code == 422
    assert refused.json()["code"] == "idempotency_key_reused"
    assert Case.objects.filter(submitted_by=accounts.citizen).count() == 1


def test_a_refused_submission_stores_no_answer_and_its_corrected_retry_runs(world, accounts):
    """A refusal rolls the claim back with everything else: nothing is stored
    under the key, and the same key with the corrected body is a new submission."""
    client = Client(headers=accounts.bearer(accounts.citizen))
    bad = body(world, form={"applicant_name": "张伟", "credit_code": "123"})
    refused = post(client, bad, "retry-3")
    assert refused.status_code == 422 and refused.json()["code"] == "case_form_invalid"
    assert not IdempotencyRecord.objects.filter(key="retry-3").exists()
    assert not Case.objects.filter(submitted_by=accounts.citizen).exists()
    done = post(client, body(world), "retry-3")
    assert done.status_code == 201 and "Idempotent-Replayed" not in done
    assert IdempotencyRecord.objects.get(key="retry-3").status_code == 201


def test_an_upload_of_another_type_is_refused_before_anything_is_written(world, accounts):
    """The type of every upload is checked with the rest, before the number is
    taken: a refusal leaves no case, no material and no counter step."""
    from tongban.cases.models import CaseNumberSequence

    client = Client(headers=accounts.bearer(accounts.citizen))
    post(client, body(world), "type-0")
    counter = CaseNumberSequence.objects.get().last
    exe = base64.b64encode(b"MZ\x90\x00 not a pdf").decode("ascii")
    data = body(world)
    data["materials"][1]["file_base64"] = exe
    refused = post(client, data, "type-1")
    assert refused.status_code == 422 and refused.json()["code"] == "case_upload_invalid"
    assert CaseNumberSequence.objects.get().last == counter
    assert Case.objects.count() == 1 and CaseMaterial.objects.count() == 2
