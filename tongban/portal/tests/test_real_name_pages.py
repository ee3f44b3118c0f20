"""实名认证 in the portal (issue 14, item 2): a citizen sees her level, raises
it to L2 through the 自然人库, and is told on a guide and apply page when the
item needs a higher level, with the way to raise it."""

from __future__ import annotations

import pytest

from tongban.catalog.services import basic_item_create, guide_load_published
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core import clock
from tongban.core.crypto import encrypt
from tongban.core.masking import mask_id_number
from tongban.core.models import AuditEvent
from tongban.identity.models import RealNameLevel, RealNameVerification, User
from tongban.identity.selectors import ID_NUMBER_CONTEXT
from tongban.identity.services import citizen_signup
from tongban.identity.services.real_name import real_name_registry_confirmed
from tongban.identity.tests.conftest import make_id
from tongban.org.demo import demo_org_load
from tongban.org.models import Department
from tongban.sharing.models import PopulationRecord

pytestmark = pytest.mark.django_db
PASSWORD = "Pw-12345678"


def _citizen() -> User:
    return citizen_signup(
        username="zhangwei",
        phone="13800000001",
        password=PASSWORD,
        name="张伟",
        id_number=make_id(),
    )


def in_population_registry(user: User, *, name: str | None = None) -> None:
    person = user.person
    assert person is not None
    PopulationRecord.objects.create(
        id_number_enc=encrypt(make_id(), context=ID_NUMBER_CONTEXT),
        id_number_token=person.id_number_token,
        id_number_masked=mask_id_number(make_id()),
        name=name or person.name,
        sex=person.sex,
        birth_date=person.birth_date,
        updated_at=clock.now(),
    )


def item_requiring(level: int):
    demo_org_load()
    department = Department.objects.get(name="南京市市场监督管理局")
    basic = basic_item_create(
        code="010000000101",
        name="食品经营许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels="234",
    )
    return guide_load_published(
        basic_item=basic,
        department=department,
        content=valid_guide(min_real_name_level=level, audience=["person"]),
    )


def test_the_real_name_page_shows_my_level_and_the_online_check(client):
    user = _citizen()
    client.force_login(user)
    html = client.get("/my/real-name/").content.decode()
    assert 'data-real-name-level="1"' in html
    assert "一级：身份号码格式与姓名一致性核验" in html
    assert 'action="/my/real-name/verify/"' in html and 'name="consent"' in html
    assert "到窗口核验身份证件" in html
    # The space links the page with the level.
    space = client.get("/my/").content.decode()
    assert 'href="/my/real-name/"' in space and "一级</span>" in space


def test_a_confirmed_citizen_is_raised_to_level_two_and_sent_back(client):
    user = _citizen()
    in_population_registry(user)
    client.force_login(user)
    response = client.post("/my/real-name/verify/", {"consent": "on", "next": "/services/X/apply/"})
    assert response.status_code == 302 and response["Location"] == "/services/X/apply/"
    user.refresh_from_db()
    assert user.real_name_level == RealNameLevel.L2
    record = RealNameVerification.objects.get()
    assert record.user_id == user.pk and record.level == 2 and record.method == "registry"
    page = client.get("/my/real-name/").content.decode()
    assert "核验通过，您的实名认证等级现为二级" in page
    assert 'data-real-name-level="2"' in page and 'name="consent"' not in page
    assert f'data-verification="{record.pk}"' in page


def test_an_unconfirmed_citizen_is_told_why_and_what_to_do_and_stays_at_level_one(client):
    user = _citizen()
    in_population_registry(user, name="张三")
    client.force_login(user)
    response = client.post("/my/real-name/verify/", {"consent": "on"}, follow=True)
    html = response.content.decode()
    assert "人口基础信息库未能核验您的姓名与身份号码" in html
    assert "携带身份证件到政务服务大厅窗口核验" in html
    user.refresh_from_db()
    assert user.real_name_level == RealNameLevel.L1
    assert not RealNameVerification.objects.exists()
    assert AuditEvent.objects.filter(action="identity.real_name.registry_refused").count() == 1


def test_no_check_without_consent_and_no_open_redirect(client):
    user = _citizen()
    in_population_registry(user)
    client.force_login(user)
    response = client.post("/my/real-name/verify/", {"next": "https://evil.example/"}, follow=True)
    assert "请先勾选同意" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/my/real-name/"
    assert not RealNameVerification.objects.exists()
    response = client.post(
        "/my/real-name/verify/", {"consent": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/my/real-name/"


def test_staff_and_anonymous_do_not_reach_the_page(client):
    assert client.get("/my/real-name/").status_code == 302  # to the login page
    staff = User.objects.create_user("clerk", PASSWORD, kind="staff", display_name="窗口")
    client.force_login(staff)
    assert client.get("/my/real-name/").status_code == 403
    assert client.post("/my/real-name/verify/", {"consent": "on"}).status_code == 403


def test_the_guide_and_apply_pages_say_the_level_needed_and_how_to_raise_it(client):
    item = item_requiring(2)
    code = item.implementation_code
    # Anonymous: told the level, asked to log in.
    guide = client.get(f"/services/{code}/").content.decode()
    assert 'data-real-name-required="2"' in guide and "须实名认证二级及以上" in guide
    user = _citizen()
    client.force_login(user)
    guide = client.get(f"/services/{code}/").content.decode()
    assert "您当前为实名一级，暂不能在线提交" in guide
    assert f'href="/my/real-name/?next=/services/{code}/"' in guide
    apply = client.get(f"/services/{code}/apply/").content.decode()
    assert 'data-real-name-required="2"' in apply and "可在线通过人口库核验升为二级" in apply
    # Raised: the notice is gone from both.
    real_name_registry_confirmed(user=user)
    assert "data-real-name-required" not in client.get(f"/services/{code}/").content.decode()
    assert "data-real-name-required" not in client.get(f"/services/{code}/apply/").content.decode()


def test_an_item_needing_level_three_sends_her_to_a_window(client):
    item = item_requiring(3)
    user = _citizen()
    real_name_registry_confirmed(user=user)
    client.force_login(user)
    html = client.get(f"/services/{item.implementation_code}/").content.decode()
    assert "须实名认证三级及以上" in html and "您当前为实名二级" in html
    assert "携带本人居民身份证原件到政务服务大厅窗口现场核验" in html


def test_an_item_without_a_minimum_level_says_nothing(client):
    item = item_requiring(2)
    content = dict(item.current_version.content)
    content.pop("min_real_name_level")
    item = guide_load_published(
        basic_item=item.basic_item, department=item.department, content=content
    )
    client.force_login(_citizen())
    assert (
        "data-real-name-required"
        not in client.get(f"/services/{item.implementation_code}/").content.decode()
    )
