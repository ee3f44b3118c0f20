"""The public API: verification, published keys, the catalogue, proof items."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from tongban.certificates import offline
from tongban.certificates.models import Certificate, CertificateAccess
from tongban.certificates.offline import keys_from_document, verify_qr
from tongban.certificates.services import certificate_revoke
from tongban.certificates.tests.conftest import D0, T0
from tongban.certificates.tests.test_services import issue_licence
from tongban.core.models import AuditEvent

VERIFY = "/api/v1/certificates/verify"


@pytest.fixture
def today():
    with mock.patch("tongban.core.clock.today", return_value=D0):
        yield D0


def test_verify_by_identifier_answers_status_and_masked_fields(client, world, today):
    certificate = issue_licence(world)
    writes = AuditEvent.objects.count()
    response = client.get(VERIFY, {"identifier": certificate.identifier})
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True and body["status_label"] == "有效"
    assert body["holder_masked"] == "南京******有限公司"
    assert body["type_name"] == "营业执照"
    assert "软件开发" not in response.content.decode()  # not a public field
    assert AuditEvent.objects.count() == writes  # a read writes nothing
    assert CertificateAccess.objects.count() == 0


def test_verify_by_qr_payload_then_revoked_shows_revoked(client, world, today):
    certificate = issue_licence(world)
    assert client.get(VERIFY, {"p": certificate.qr_payload}).json()["signature_checked"] is True
    certificate_revoke(certificate_id=certificate.pk, actor=None, reason="行政处罚", now=T0)
    body = client.get(VERIFY, {"p": certificate.qr_payload}).json()
    assert body["verified"] is False and body["status_label"] == "已吊销"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"identifier": "1.2.3"}, 422, "certificate_identifier_invalid"),
        ({}, 422, "certificate_identifier_invalid"),
        ({"p": "TB1.abc"}, 422, "certificate_qr_malformed"),
        ({"p": "nonsense"}, 422, "certificate_qr_malformed"),
    ],
)
def test_bad_verification_input_is_a_problem_with_a_code(
    client, world, params, status, code, today
):
    response = client.get(VERIFY, params)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_wrong_check_character_unknown_identifier_truncated_and_unknown_key(client, world, today):
    certificate = issue_licence(world)
    wrong = certificate.identifier[:-1] + ("0" if certificate.identifier[-1] != "0" else "1")
    assert (
        client.get(VERIFY, {"identifier": wrong}).json()["code"]
        == "certificate_identifier_check_failed"
    )
    other = certificate.identifier.replace(".001.", ".002.")[:-1]
    from tongban.certificates.identifiers import check_character

    unknown = other + check_character(other)
    response = client.get(VERIFY, {"identifier": unknown})
    assert response.status_code == 404 and response.json()["code"] == "certificate_not_found"
    cut = client.get(VERIFY, {"p": certificate.qr_payload[:-7]})
    assert cut.status_code == 422
    assert cut.json()["code"] in {"certificate_qr_malformed", "certificate_signature_invalid"}
    head, body, signature = certificate.qr_payload.split(".")
    claims = json.loads(offline._unb64url(body))
    forged_body = offline.canonical_body({**claims, "k": "nokey-0000"})
    forged = f"{head}.{offline.b64url(forged_body)}.{signature}"
    response = client.get(VERIFY, {"p": forged})
    assert response.status_code == 422 and response.json()["code"] == "certificate_key_unknown"
    assert Certificate.objects.count() == 1


def test_the_published_keys_verify_a_qr_offline(client, world):
    certificate = issue_licence(world)
    document = client.get("/api/v1/certificates/keys").json()
    uses = {k["use"] for k in document["keys"]}
    assert uses == {"qr", "pdf_seal"}
    seal = next(k for k in document["keys"] if k["use"] == "pdf_seal")
    assert seal["certificate_pem"].startswith("-----BEGIN CERTIFICATE-----")
    claims = verify_qr(certificate.qr_payload, keys_from_document(document))
    assert claims.identifier == certificate.identifier


def test_the_catalogue_lists_every_type(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/certificates/types")
    assert response.status_code == 200
    names = {t["name"] for t in response.json()}
    assert len(names) >= 60 and "营业执照" in names


def test_the_verification_page_shows_status_and_refuses_garbage(client, world, today):
    certificate = issue_licence(world)
    page = client.get("/certificates/verify/", {"p": certificate.qr_payload})
    assert page.status_code == 200
    text = page.content.decode()
    assert "有效" in text and "营业执照" in text and "南京******有限公司" in text
    assert page["Cache-Control"] == "no-store"
    bad = client.get("/certificates/verify/", {"p": certificate.qr_payload[:40]})
    assert bad.status_code == 422 and "核验未通过" in bad.content.decode()
    assert client.get("/certificates/verify/").status_code == 200
