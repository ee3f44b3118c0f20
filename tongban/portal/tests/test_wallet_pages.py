"""电子证照夹, use authorizations, the reads log, printing and the proof list."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.cases import PASSWORD
from tests.support.certificates import make_wallet_seed
from tongban.certificates.holders import holder_of
from tongban.certificates.models import (
    CertificateAccess,
    PrintedCertification,
    PrintKind,
    UseAuthorization,
)
from tongban.certificates.services.proofs import registry_extract_put
from tongban.certificates.services.wallet import certificate_read_for_staff
from tongban.core import clock
from tongban.core.errors import DomainError


@pytest.fixture
def seed(db, settings):
    settings.TONGBAN_CERTIFICATE_SEAL_PDF = False  # sealing is tested in the app; pages stay fast
    return make_wallet_seed()


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


def test_the_wallet_lists_only_my_certificates(client, seed, django_assert_max_num_queries):
    login(client, "zhangsan")
    with django_assert_max_num_queries(12):
        page = client.get("/my/certificates/")
    text = page.content.decode()
    assert page.status_code == 200 and "居民户口簿" in text and "营业执照" not in text
    login(client, "biz1")
    text = client.get("/my/certificates/").content.decode()
    assert "营业执照" in text and "居民户口簿" not in text


def test_another_holders_certificate_is_not_found(client, seed):
    login(client, "lisi")
    assert client.get(f"/my/certificates/{seed['hukou'].identifier}/").status_code == 404
    assert client.get(f"/my/certificates/{seed['hukou'].identifier}/pdf/").status_code == 404


def test_the_holder_sees_the_face_a_qr_and_downloads_the_pdf(client, seed):
    login(client, "zhangsan")
    page = client.get(f"/my/certificates/{seed['hukou'].identifier}/")
    text = page.content.decode()
    assert "320102001" in text and "<svg" in text
    pdf = client.get(f"/my/certificates/{seed['hukou'].identifier}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_authorize_then_staff_read_is_logged_and_shown_then_revoke(client, seed):
    hukou, market, clerk = seed["hukou"], seed["market"], seed["clerk"]
    with pytest.raises(DomainError) as caught:
        certificate_read_for_staff(identifier=hukou.identifier, user=clerk, purpose="核验户籍")
    assert caught.value.code == "certificate_access_denied"
    login(client, "zhangsan")
    until = (clock.today() + dt.timedelta(days=30)).isoformat()
    response = client.post(
        f"/my/certificates/{hukou.identifier}/",
        {
            "department": market.pk,
            "purpose": "办理食品经营许可",
            "case_no": "",
            "valid_until": until,
        },
    )
    assert response.status_code == 302
    grant = UseAuthorization.objects.get()
    assert grant.department == market and grant.revoked_at is None
    certificate_read_for_staff(
        identifier=hukou.identifier, user=clerk, purpose="核验户籍", case_no="X1"
    )
    access = CertificateAccess.objects.get()
    assert access.reader == clerk and access.case_no == "X1" and access.basis == "authorization"
    text = client.get("/my/certificates/").content.decode()
    assert "核验户籍" in text and "南京市市场监督管理局" in text
    client.post(f"/my/certificates/authorizations/{grant.pk}/revoke/")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    with pytest.raises(DomainError) as caught:
        certificate_read_for_staff(identifier=hukou.identifier, user=clerk, purpose="核验户籍")
    assert caught.value.code == "certificate_authorization_expired"
    assert CertificateAccess.objects.count() == 1  # a refused read writes no access row


def test_a_bad_authorization_is_refused_in_chinese(client, seed):
    login(client, "zhangsan")
    response = client.post(
        f"/my/certificates/{seed['hukou'].identifier}/",
        {"department": seed["market"].pk, "purpose": "x", "valid_until": "2000-01-01"},
    )
    assert response.status_code == 400 and "授权截止时间须晚于现在" in response.content.decode()
    assert UseAuthorization.objects.count() == 0


def test_self_service_printing_with_a_verification_page(client, seed):
    login(client, "zhangsan")
    registry_extract_put(
        holder_key=holder_of(person=seed["citizen"].person).key,
        kind=PrintKind.HOUSEHOLD,
        facts={"户号": "320102001"},
        source_department="南京市公安局",
    )
    response = client.post("/my/certifications/", {"kind": "household"})
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    printed = PrintedCertification.objects.get()
    check = client.get(f"/certifications/verify/{printed.verification_code}/")
    assert check.status_code == 200 and "户籍证明" in check.content.decode()
    missing = client.post("/my/certifications/", {"kind": "tax"}, follow=True)
    assert "基础库中没有您的纳税证明信息" in missing.content.decode()
    assert client.get("/certifications/verify/nonsense/").status_code == 404


def test_the_proof_item_list_is_public_with_the_cut_share(client, seed):
    page = client.get("/proof-items/")
    text = page.content.decode()
    assert page.status_code == 200 and "户籍证明" in text and "以数据共享替代" in text
    body = client.get("/api/v1/certificates/proof-items").json()
    assert body["total"] == 16 and body["removed_share"] >= 0.6
    assert client.get("/api/v1/certificates/proof-items/ZM-001").json()["name"] == "户籍证明"
    assert (
        client.get("/api/v1/certificates/proof-items/NOPE").json()["code"] == "proof_item_not_found"
    )
