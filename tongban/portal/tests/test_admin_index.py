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


def test_admin_index_lists_next_year_when_it_has_no_calendar(admin_client, monkeypatch):
    # 21 Nov 2026: the package covers 2026 but not 2027.
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 21))
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="calendar-missing"' in body
    assert "2027年" in body
    assert "2026年" not in body.split('id="calendar-missing"')[1].split("</div>")[0]
    assert "tongban calendar import" in body


def test_admin_index_warning_goes_once_the_year_is_imported(admin_client, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 11, 21))
    CalendarYear.objects.create(
        year=2027, source="国务院办公厅关于2027年部分节假日安排的通知", imported_at=clock.now()
    )
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert 'id="calendar-missing"' not in response.content.decode()
