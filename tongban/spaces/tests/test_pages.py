"""个人空间, 企业空间 and 消息中心 with the Django test client: what each account
sees, what to do next, grants and revocations taking effect at once, the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tongban.cases import services as case_services
from tongban.core.models import AuditEvent, Notification
from tongban.core.notifications import notification_send
from tongban.identity.models import BusinessAuthorization
from tongban.inbox.models import InboxRead
from tongban.spaces import selectors

from .conftest import PASSWORD


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_personal_space_puts_what_i_must_do_first(client, space):
    wang = space.citizen.person
    waiting = space.submit(person=wang, by=space.citizen)
    asked = space.submit(person=wang, by=space.citizen)
    case_services.case_request_supplement(
        case_id=asked.pk,
        actor=space.clerk,
        items=[{"code": "layout", "name": "经营场所平面布局图", "reason": "图纸不清晰"}],
    )
    page = login(client, space.citizen).get("/my/")
    assert page.status_code == 200
    html = page.content.decode()
    # The case waiting on the applicant comes first, with what to do.
    assert html.index(f'data-case="{asked.case_no}"') < html.index(f'data-case="{waiting.case_no}"')
    assert "请按补正通知书补交材料" in html and "等待窗口受理" in html
    assert 'data-reminder="supplement"' in html
    assert f"/my/cases/{asked.case_no}/" in html
    assert "/my/certificates/" in html and "/my/hotline/" in html
    assert "/my/appointments/" in html and "/my/bundles/" in html
    assert 'href="/my/"' in html  # the header links the space
    # Two unread texts (the submissions) and the supplement notice.
    assert "3 条未读" in html


def test_the_personal_space_reads_a_fixed_number_of_queries(client, space):
    wang = space.citizen.person
    space.submit(person=wang, by=space.citizen)
    login(client, space.citizen).get("/my/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/my/").status_code == 200
    for _ in range(3):
        space.submit(person=wang, by=space.citizen)
    with CaptureQueriesContext(connection) as four:
        assert client.get("/my/").status_code == 200
    assert len(four.captured_queries) == len(one.captured_queries)


def test_staff_have_no_space(client, space):
    login(client, space.clerk)
    assert client.get("/my/").status_code == 403
    assert client.get("/my/messages/").status_code == 403
    client.logout()
    assert client.get("/my/").status_code == 302  # to the login page


def test_revoking_an_agent_takes_effect_at_once(client, space):
    code = space.company.credit_code
    case = space.submit(person=space.agent.person, entity=space.company, by=space.agent)
    agent = login(client.__class__(), space.agent)
    assert agent.get(f"/my/business/{code}/").status_code == 200
    assert case.case_no in agent.get("/my/cases/").content.decode()
    # An agent sees the business but not who may act for it.
    assert "经办人与授权" not in agent.get(f"/my/business/{code}/").content.decode()

    boss = login(client, space.boss)
    page = boss.get(f"/my/business/{code}/").content.decode()
    grant = BusinessAuthorization.objects.get(user=space.agent, legal_entity=space.company)
    assert f'data-authorization="{grant.pk}"' in page
    row = page[page.index(f'data-authorization="{grant.pk}"') :]
    assert row.index("<td data-cases-submitted>1</td>") < row.index("</tr>")  # its one case
    assert f'data-case="{case.case_no}"' in page  # what the agent did
    answer = boss.post(f"/my/business/{code}/agents/{grant.pk}/revoke/")
    assert answer.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == space.boss
    assert AuditEvent.objects.filter(action="identity.authorization_revoked").count() == 1

    # The agent's very next requests: no business space, no business cases.
    assert agent.get(f"/my/business/{code}/").status_code == 404
    assert case.case_no not in agent.get("/my/cases/").content.decode()
    assert agent.get(f"/my/cases/{case.case_no}/").status_code == 404


def test_only_the_representative_grants_and_revokes(client, space):
    code = space.company.credit_code
    before = BusinessAuthorization.objects.count()
    # Another company's account finds nothing here, and changes nothing.
    outsider = login(client.__class__(), space.outsider)
    assert outsider.get(f"/my/business/{code}/").status_code == 404
    assert (
        outsider.post(f"/my/business/{code}/agents/", {"username": "other_boss"}).status_code == 404
    )
    # The agent may not grant or revoke.
    agent = login(client.__class__(), space.agent)
    refused = agent.post(f"/my/business/{code}/agents/", {"username": "other_boss"}, follow=True)
    assert "authorization_forbidden" in refused.content.decode()
    grant = BusinessAuthorization.objects.get(user=space.agent, legal_entity=space.company)
    refused = agent.post(f"/my/business/{code}/agents/{grant.pk}/revoke/", follow=True)
    assert "authorization_forbidden" in refused.content.decode()
    assert BusinessAuthorization.objects.count() == before
    assert BusinessAuthorization.objects.get(pk=grant.pk).revoked_at is None

    boss = login(client, space.boss)
    unknown = boss.post(f"/my/business/{code}/agents/", {"username": "nobody"}, follow=True)
    assert "未找到该法人用户账号" in unknown.content.decode()
    bad_date = boss.post(
        f"/my/business/{code}/agents/",
        {"username": "other_boss", "valid_until": "明年"},
        follow=True,
    )
    assert "validation_failed" in bad_date.content.decode()
    assert BusinessAuthorization.objects.count() == before
    # The representative grants: the new agent sees the business at once.
    granted = boss.post(
        f"/my/business/{code}/agents/", {"username": "other_boss", "valid_until": "2099-12-31"}
    )
    assert granted.status_code == 302
    new = BusinessAuthorization.objects.get(user=space.outsider, legal_entity=space.company)
    assert new.role == "agent" and new.granted_by == space.boss
    assert outsider.get(f"/my/business/{code}/").status_code == 200
    for missing in (999999, 10**30):  # none such; too large for the database
        assert boss.post(f"/my/business/{code}/agents/{missing}/revoke/").status_code == 404


def test_a_grant_the_registry_does_not_allow_is_refused_on_the_page(client, space):
    from tongban.sharing.models import BusinessRecord

    code = space.company.credit_code
    BusinessRecord.objects.filter(credit_code=code).update(status="revoked")  # 吊销
    boss = login(client, space.boss)
    refused = boss.post(f"/my/business/{code}/agents/", {"username": "other_boss"}, follow=True)
    html = refused.content.decode()
    assert "legal_entity_not_in_business" in html and "登记状态为“吊销”" in html
    assert not BusinessAuthorization.objects.filter(
        user=space.outsider, legal_entity=space.company
    ).exists()


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (dt.date(2027, 1, 1), True),  # the first day of the 年报 window
        (dt.date(2027, 6, 30), True),  # its last day
        (dt.date(2027, 7, 1), False),  # closed
    ],
)
def test_a_business_is_reminded_of_its_annual_report_in_season(space, today, due):
    found = selectors.reminders_for_user(user=space.boss, today=today, entity=space.company)
    assert ("annual_report" in [r.kind for r in found]) is due
    personal = selectors.reminders_for_user(user=space.citizen, today=today)
    assert "annual_report" not in [r.kind for r in personal]


def test_the_inbox_lists_my_messages_only_and_marks_them_read(client, space, sms):
    case = space.submit(person=space.citizen.person, by=space.citizen)
    notification_send(
        channel="sms",
        recipient="13800000001",  # 张伟's phone: not 王芳's message
        subject="",
        body="另一个人的消息",
        purpose="test",
        object_type="test",
        object_id="1",
    )
    login(client, space.citizen)
    page = client.get("/my/messages/").content.decode()
    mine = Notification.objects.get(object_type="case")
    other = Notification.objects.get(purpose="test")
    assert case.case_no in page and "另一个人的消息" not in page
    assert f'data-message="{mine.pk}"' in page and "data-unread-message" in page
    assert "短信发至 138****0003" in page

    for not_mine in (other.pk, 10**30):  # another's; too large for the database
        assert client.post(f"/my/messages/{not_mine}/read/").status_code == 404
    opened = client.post(f"/my/messages/{mine.pk}/read/", {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == f"/my/cases/{case.case_no}/"
    assert list(InboxRead.objects.values_list("user_id", "notification_id")) == [
        (space.citizen.pk, mine.pk)
    ]
    client.post(f"/my/messages/{mine.pk}/read/")  # twice: still one mark
    assert InboxRead.objects.count() == 1
    assert "data-unread-message" not in client.get("/my/messages/").content.decode()


def test_read_all_and_the_inbox_query_count(client, space, sms):
    login(client, space.citizen)
    space.submit(person=space.citizen.person, by=space.citizen)
    client.get("/my/messages/")
    with CaptureQueriesContext(connection) as one:
        client.get("/my/messages/")
    for _ in range(3):
        space.submit(person=space.citizen.person, by=space.citizen)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/my/messages/").content.decode()
    assert page.count("data-unread-message") == 4
    assert len(four.captured_queries) == len(one.captured_queries)
    client.post("/my/messages/read-all/")
    assert InboxRead.objects.filter(user=space.citizen).count() == 4
    assert client.get("/my/messages/?cursor=%%%").status_code == 302  # a forged cursor


def test_a_business_sees_the_policies_pushed_to_it_and_why(client, space):
    from decimal import Decimal

    from tongban.policies.models import PolicyOptIn
    from tongban.policies.services import (
        business_classification_put,
        policy_create,
        policy_match_run,
        policy_publish,
    )
    from tongban.sharing.services.registries import business_put

    code = space.company.credit_code
    business_put(
        credit_code=code,
        name=space.company.name,
        kind="有限责任公司",
        legal_representative=None,
        legal_representative_name="张伟",
        established_on=dt.date(2020, 5, 1),
        registered_capital=Decimal("50.00"),
        business_scope="餐饮服务",
        address="南京市玄武区",
        registration_authority="南京市市场监督管理局",
    )
    business_classification_put(
        credit_code=code, industry_code="H6210", size_class="micro", credit_class="A"
    )
    policy = policy_create(
        title="小微企业房租减免",
        issuer="南京市人民政府",
        document_no="宁政发〔2027〕2号",
        valid_from=dt.date(2020, 1, 1),
        benefits="减免三个月房租",
        rules_raw={"size": ["micro"], "region": ["3201"]},
    )
    assert policy_match_run(policy=policy_publish(policy=policy)) == 1

    agent = login(client.__class__(), space.agent)
    page = agent.get(f"/my/business/{code}/").content.decode()
    assert f'data-policy="{policy.pk}"' in page and "小微企业房租减免" in page
    assert "企业规模为微型" in page and "在政策适用地区 3201 内" in page
    assert "开启政策短信提醒" not in page  # the representative's switch
    assert agent.post(f"/my/business/{code}/policy-sms/", {"sms": "on"}).status_code == 403
    assert not PolicyOptIn.objects.exists()
    outsider = login(client.__class__(), space.outsider)
    assert "小微企业房租减免" not in outsider.get("/my/").content.decode()

    boss = login(client, space.boss)
    assert boss.post(f"/my/business/{code}/policy-sms/", {"sms": "on"}).status_code == 302
    assert PolicyOptIn.objects.get(legal_entity=space.company).sms is True
    assert "关闭政策短信提醒" in boss.get(f"/my/business/{code}/").content.decode()
