"""GET /api/v1/supervision/alerts: request-level, with bearer tokens, scoped."""

from __future__ import annotations

from tongban.cases import services as case_services
from tongban.identity.services import citizen_signup, staff_account_create, token_create
from tongban.identity.tests.conftest import make_id
from tongban.supervision.models import Alert
from tongban.supervision.services import alerts_sweep

URL = "/api/v1/supervision/alerts"


def _bearer(user):
    _token, plaintext = token_create(user=user, name="监察脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _overdue_and_near(world):
    """Two 南京 cases (one red decision, one yellow acceptance) and one 赣州 case."""
    red = world.submit()
    case_services.case_accept(case_id=red.pk, actor=world.cases.clerk, now=world.at())
    yellow = world.submit(at=world.at(days=3))  # Thu 5 Nov → answer by Thu 12 Nov
    gz = world.submit(item=world.gz_item)
    alerts_sweep(now=world.at(days=8))  # Tue 10 Nov
    return red, yellow, gz


def test_a_supervisor_lists_the_alerts_of_the_region_earliest_deadline_first(
    client, world, django_assert_num_queries
):
    red, yellow, _gz = _overdue_and_near(world)
    headers = _bearer(world.supervisor)
    # token and user, last use, the assignments with their departments, the page
    with django_assert_num_queries(4):
        response = client.get(URL, **headers)
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    assert [(i["case_no"], i["kind"], i["level"]) for i in body["items"]] == [
        (red.case_no, "decision", "red"),
        (yellow.case_no, "acceptance", "yellow"),
    ]
    first = body["items"][0]
    assert first == {
        "case_no": red.case_no,
        "item_name": "食品经营许可证核发",
        "department": "南京市市场监督管理局",
        "kind": "decision",
        "kind_label": "办结期限",
        "level": "red",
        "level_label": "红色预警",
        "deadline": "2026-11-09",
        "working_days_left": -1,
        "raised_at": "2026-11-10T02:00:00Z",
        "level_changed_at": "2026-11-10T02:00:00Z",
        "message": "已超过办结期限（2026年11月9日）1 个工作日",
    }
    assert body["items"][1]["working_days_left"] == 2  # Wed 11, Thu 12 Nov


def test_a_supervisor_of_nanjing_does_not_see_ganzhou(client, world):
    _red, _yellow, gz = _overdue_and_near(world)
    assert Alert.objects.filter(case=gz).exists()
    nanjing = client.get(URL, **_bearer(world.supervisor)).json()
    assert gz.case_no not in {i["case_no"] for i in nanjing["items"]}
    ganzhou = client.get(URL, **_bearer(world.gz_supervisor)).json()
    assert [i["case_no"] for i in ganzhou["items"]] == [gz.case_no]
    # The window clerk of the 赣州 department sees its alert and none of 南京's.
    clerk = client.get(URL, **_bearer(world.cases.other_clerk)).json()
    assert [i["case_no"] for i in clerk["items"]] == [gz.case_no]


def test_filters_and_cursor_pages(client, world):
    red, yellow, _gz = _overdue_and_near(world)
    headers = _bearer(world.cases.head)
    reds = client.get(URL, {"level": "red"}, **headers).json()
    assert [i["case_no"] for i in reds["items"]] == [red.case_no]
    acceptance = client.get(URL, {"kind": "acceptance"}, **headers).json()
    assert [i["case_no"] for i in acceptance["items"]] == [yellow.case_no]
    page1 = client.get(URL, {"limit": 1}, **headers).json()
    assert [i["case_no"] for i in page1["items"]] == [red.case_no]
    assert page1["next_cursor"]
    page2 = client.get(URL, {"limit": 1, "cursor": page1["next_cursor"]}, **headers).json()
    assert [i["case_no"] for i in page2["items"]] == [yellow.case_no]
    assert page2["next_cursor"] is None


def test_resolved_alerts_are_not_listed(client, world):
    red, _yellow, _gz = _overdue_and_near(world)
    case_services.case_withdraw(case_id=red.pk, actor=None, now=world.at(days=8, hours=1))
    alerts_sweep(now=world.at(days=8, hours=2))
    body = client.get(URL, **_bearer(world.supervisor)).json()
    assert red.case_no not in {i["case_no"] for i in body["items"]}
    assert Alert.objects.filter(case=red, resolved_at__isnull=False).count() == 1


def test_anonymous_is_401_and_a_citizen_gets_an_empty_list(client, world):
    _overdue_and_near(world)
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    bad = client.get(URL, HTTP_AUTHORIZATION="Bearer tb_wrong")
    assert bad.status_code == 401

    citizen = citizen_signup(
        phone="13900000009", password="Pw-12345678", name="李娜", id_number=make_id(order="007")
    )
    body = client.get(URL, **_bearer(citizen)).json()
    assert body == {"items": [], "next_cursor": None}
    # Staff with no assignment (or only roles that do not see alerts) alike.
    editor = staff_account_create(username="nobody", display_name="无岗位", password="Pw-12345678")
    assert client.get(URL, **_bearer(editor)).json()["items"] == []


def test_bad_parameters_are_problems_not_500(client, world):
    headers = _bearer(world.supervisor)
    response = client.get(URL, {"level": "purple"}, **headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    response = client.get(URL, {"cursor": "!!!"}, **headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"
    forged = "WyJub3QtYS1kYXRlIiwxXQ"  # ["not-a-date",1]
    assert client.get(URL, {"cursor": forged}, **headers).status_code == 400
