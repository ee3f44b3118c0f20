"""Staff certificate pages: read through an authorization, end one, import."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from tests.support.cases import PASSWORD, staff_member
from tests.support.certificates import make_wallet_seed
from tongban.certificates.models import Certificate, CertificateAccess, UseAuthorization
from tongban.core import clock
from tongban.core.identifiers import generate_credit_code
from tongban.org.models import Department, Role


@pytest.fixture
def seed(db, settings):
    settings.TONGBAN_CERTIFICATE_SEAL_PDF = False
    data = make_wallet_seed()
    market = data["market"]
    data["reviewer"] = staff_member("nj_reviewer", "宁审批", Role.REVIEWER, market, only=True)
    gz = Department.objects.get(name="赣州市市场监督管理局")
    data["gz_reviewer"] = staff_member("gz_reviewer", "赣审批", Role.REVIEWER, gz, only=True)
    return data


def test_a_clerk_reads_only_with_an_authorization_and_the_read_is_logged(client, seed):
    assert client.login(username="nj_clerk", password=PASSWORD)
    form = {"form": "read", "identifier": seed["hukou"].identifier, "purpose": "核验户籍"}
    refused = client.post("/workbench/certificates/", form)
    assert refused.status_code == 403 and "未授权" in refused.content.decode()
    assert CertificateAccess.objects.count() == 0
    UseAuthorization.objects.create(
        certificate=seed["hukou"],
        holder_key=seed["hukou"].holder_key,
        department=seed["market"],
        purpose="办理食品经营许可",
        valid_until=clock.now() + dt.timedelta(days=3),
        created_at=clock.now(),
    )
    shown = client.post("/workbench/certificates/", form)
    assert shown.status_code == 200 and "320102001" in shown.content.decode()
    assert CertificateAccess.objects.get().reader == seed["clerk"]


def test_a_reviewer_of_the_issuer_revokes_and_another_city_cannot(client, seed):
    licence = seed["licence"]
    assert client.login(username="gz_reviewer", password=PASSWORD)
    url = f"/workbench/certificates/{licence.identifier}/revoke/"
    assert client.post(url, {"reason": "违法经营"}).status_code == 404
    assert client.login(username="nj_reviewer", password=PASSWORD)
    page = client.get("/workbench/certificates/")
    assert licence.identifier in page.content.decode()
    client.post(url, {"reason": ""})
    licence.refresh_from_db()
    assert licence.status == "valid"  # a reason is required
    client.post(url, {"reason": "违法经营，依法吊销"})
    licence.refresh_from_db()
    assert licence.status == "revoked"


def test_import_from_the_workbench(client, seed):
    assert client.login(username="nj_reviewer", password=PASSWORD)
    book = Workbook()
    sheet = book.active
    sheet.append(["证照类型", "持证主体名称", "证件号码", "有效期起始"])
    sheet.append(
        ["营业执照", "南京丁有限公司", generate_credit_code("9132010270000021"), "2021-01-01"]
    )
    sheet.append(["营业执照", "南京戊有限公司", "坏代码", "2021-01-01"])
    out = io.BytesIO()
    book.save(out)
    before = Certificate.objects.count()
    upload = io.BytesIO(out.getvalue())
    upload.name = "backlog.xlsx"
    response = client.post(
        "/workbench/certificates/",
        {"form": "import", "department": seed["market"].pk, "file": upload},
    )
    assert response.status_code == 422 and "第 3 行" in response.content.decode()
    assert Certificate.objects.count() == before
