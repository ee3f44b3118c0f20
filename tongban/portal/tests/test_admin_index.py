"""The admin index warns about years without working-day calendar data."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.core import clock
from tongban.core.models import CalendarYear
from tongban.identity.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser("root", "root-password-1")
    client.force_login(admin)
    return client


def test_admin_index_warns_from_november_that_next_year_is_provisional(admin_client, monkeypatch):
    # 1 Nov 2026: the package covers 2026; 2027 is counted provisionally.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 1))
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="calendar-missing"' in body
    warning = body.split('id="calendar-missing"')[1].split("</div>")[0]
    assert "2027年的国务院节假日安排通知尚未导入" in warning
    assert "暂定" in warning
    assert "2026年" not in warning
    assert "tongban calendar import" in body


def test_admin_index_is_quiet_about_a_provisional_year_before_november(admin_client, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 10, 31))
    response = admin_client.get("/admin/")
    assert 'id="calendar-missing"' not in response.content.decode()


def test_admin_index_names_a_current_year_without_any_data(admin_client, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2028, 2, 1))
    body = admin_client.get("/admin/").content.decode()
    assert "2028年尚无节假日安排数据" in body


def test_admin_index_warning_goes_once_the_year_is_imported(admin_client, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 21))
    CalendarYear.objects.create(
        year=2027, source="国务院办公厅关于2027年部分节假日安排的通知", imported_at=clock.now()
    )
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert 'id="calendar-missing"' not in response.content.decode()
