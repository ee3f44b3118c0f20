import pytest


@pytest.mark.django_db
def test_a_national_day_holiday_is_not_a_working_day(client):
    response = client.get("/api/v1/calendar/days/2026-10-01")
    assert response.status_code == 200
    assert response.json() == {
        "date": "2026-10-01",
        "working": False,
        "kind": "holiday",
        "name": "国庆节",
    }
