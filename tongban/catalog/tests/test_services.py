"""The guide workflow: one service per transition, history, scope, four eyes."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.catalog import services
from tongban.catalog.editor_selectors import guide_diff, service_item_get_for_editor
from tongban.catalog.models import GuideEvent, GuideStatus, GuideVersion, ServiceItem
from tongban.catalog.tests.guide_factory import valid_guide
from tongban.core.errors import DomainError
from tongban.core.models import AuditEvent
from tongban.identity.services import staff_account_create
from tongban.org.models import Department, Region, Role
from tongban.org.services import regions_load_from_file, staff_assign

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    regions_load_from_file()
    from tongban.org.demo import credit_code_for
    from tongban.org.services import department_create

    def dept(name: str, region: str) -> Department:
        return department_create(
            name=name,
            credit_code=credit_code_for(name=name, region_code=region),
            region=Region.objects.get(code=region),
        )

    nanjing = dept("南京市市场监督管理局", "320100")
    xuanwu = dept("南京市玄武区市场监督管理局", "320102")
    ganzhou = dept("赣州市市场监督管理局", "360700")
    basic = services.basic_item_create(
        code="010000000001",
        name="食品经营许可证核发",
        item_type="01",
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        levels="234",
    )

    def editor(username: str, department: Department) -> object:
        user = staff_account_create(
            username=username, display_name=username, password="Pw-12345678"
        )
        staff_assign(
            user_id=user.pk,
            role=Role.CATALOG_EDITOR,
            department=department,
            region_scope=department.region,
        )
        return user

    return {
        "basic": basic,
        "nanjing": nanjing,
        "xuanwu": xuanwu,
        "ganzhou": ganzhou,
        "nj_editor": editor("nj_editor", nanjing),
        "nj_editor2": editor("nj_editor2", nanjing),
        "gz_editor": editor("gz_editor", ganzhou),
    }


def _published(world) -> ServiceItem:
    return services.guide_load_published(
        basic_item=world["basic"], department=world["nanjing"], content=valid_guide(), now=T0
    )


def _current(item: ServiceItem) -> GuideVersion:
    assert item.current_version is not None
    return item.current_version


def test_the_implementation_code_joins_credit_code_level_and_basic_code(world):
    item = services.service_item_create(
        basic_item=world["basic"], department=world["nanjing"], content=valid_guide(), now=T0
    )
    assert item.implementation_code == world["nanjing"].credit_code + "3" + "010000000001"
    assert item.level == "3"
    version = item.versions.get()
    assert (version.number, version.status) == (1, GuideStatus.DRAFT)
    assert item.current_version is None


def test_implementing_the_same_item_twice_in_one_department_is_refused(world):
    services.service_item_create(
        basic_item=world["basic"], department=world["nanjing"], content=valid_guide()
    )
    with pytest.raises(DomainError) as exc:
        services.service_item_create(
            basic_item=world["basic"], department=world["nanjing"], content=valid_guide()
        )
    assert exc.value.code == "service_item_exists"


def test_a_level_the_basic_item_does_not_allow_is_refused(world):
    basic = services.basic_item_create(
        code="010000000002", name="省级事项", item_type="01", legal_basis="《某条例》", levels="2"
    )
    with pytest.raises(DomainError) as exc:
        services.service_item_create(
            basic_item=basic, department=world["nanjing"], content=valid_guide()
        )
    assert exc.value.code == "level_not_allowed"


def test_an_invalid_guide_names_the_fields_in_chinese(world):
    guide = valid_guide(online_depth=7)
    guide["name"] = "x"
    guide["materials"][0]["originals"] = "两份"
    with pytest.raises(DomainError) as exc:
        services.service_item_create(
            basic_item=world["basic"], department=world["nanjing"], content=guide
        )
    assert exc.value.code == "invalid_guide"
    assert "不能大于 4" in exc.value.detail
    fields = {f["field"] for f in exc.value.fields}
    assert {"online_depth", "materials[0].originals", "name"} <= fields
    assert ServiceItem.objects.count() == 0


def test_the_full_editorial_flow_publishes_supersedes_and_keeps_history(world):
    nj, nj2 = world["nj_editor"], world["nj_editor2"]
    item = _published(world)
    v1 = _current(item)
    draft = services.guide_draft_create(service_item=item, actor=nj, now=T0)
    assert draft.number == 2
    changed = valid_guide(promised_limit={"value": 3, "unit": "working_days"})
    draft = services.guide_draft_update(
        version=draft, content=changed, expected_revision=1, change_note="压缩时限", actor=nj
    )
    draft = services.guide_submit(version=draft, actor=nj)
    assert draft.status == GuideStatus.IN_REVIEW
    with pytest.raises(DomainError) as four_eyes:
        services.guide_publish(version=draft, actor=nj)
    assert four_eyes.value.code == "guide_four_eyes"
    services.guide_publish(version=draft, actor=nj2, comment="同意")
    item.refresh_from_db()
    v1.refresh_from_db()
    assert item.current_version_id == draft.pk
    assert item.promised_days == 3
    assert v1.status == GuideStatus.SUPERSEDED
    actions = list(GuideEvent.objects.filter(version=draft).values_list("action", flat=True))
    assert actions == ["create", "update", "submit", "publish"]
    assert GuideEvent.objects.filter(version=v1, action="supersede").exists()
    assert AuditEvent.objects.filter(action="guide.publish").count() == 2
    diff = guide_diff(v1, GuideVersion.objects.get(pk=draft.pk))
    assert [c.field for c in diff] == ["promised_limit"]
    assert "3" in diff[0].after and "5" in diff[0].before


def test_a_guide_with_a_catch_all_material_cannot_be_submitted(world):
    nj = world["nj_editor"]
    item = _published(world)
    draft = services.guide_draft_create(service_item=item, actor=nj)
    guide = valid_guide()
    guide["materials"].append({"code": "other", "name": "其他相关材料"})
    draft = services.guide_draft_update(version=draft, content=guide, expected_revision=1, actor=nj)
    with pytest.raises(DomainError) as exc:
        services.guide_submit(version=draft, actor=nj)
    assert exc.value.code == "guide_lint_failed"
    assert any(f["field"].startswith("materials[4]") for f in exc.value.fields)
    assert "不能提交审核" in exc.value.detail
    draft.refresh_from_db()
    assert draft.status == GuideStatus.DRAFT


def test_a_stale_revision_is_a_conflict_and_changes_nothing(world):
    nj = world["nj_editor"]
    item = _published(world)
    draft = services.guide_draft_create(service_item=item, actor=nj)
    services.guide_draft_update(
        version=draft, content=valid_guide(name="甲事项"), expected_revision=1, actor=nj
    )
    with pytest.raises(DomainError) as exc:
        services.guide_draft_update(
            version=draft, content=valid_guide(name="乙事项"), expected_revision=1, actor=nj
        )
    assert exc.value.code == "guide_revision_conflict"
    draft.refresh_from_db()
    assert draft.content["name"] == "甲事项"


def test_one_open_draft_at_a_time(world):
    item = _published(world)
    services.guide_draft_create(service_item=item, actor=world["nj_editor"])
    with pytest.raises(DomainError) as exc:
        services.guide_draft_create(service_item=item, actor=world["nj_editor2"])
    assert exc.value.code == "guide_draft_exists"


def test_rejecting_needs_a_comment_and_returns_the_draft(world):
    nj, nj2 = world["nj_editor"], world["nj_editor2"]
    item = _published(world)
    draft = services.guide_submit(
        version=services.guide_draft_create(service_item=item, actor=nj), actor=nj
    )
    with pytest.raises(DomainError):
        services.guide_reject(version=draft, comment=" ", actor=nj2)
    draft = services.guide_reject(version=draft, comment="依据条款不全", actor=nj2)
    assert draft.status == GuideStatus.DRAFT
    assert draft.review_comment == "依据条款不全"


FORBIDDEN = [
    ("draft", "reject"),
    ("draft", "publish"),
    ("in_review", "submit"),
    ("published", "submit"),
    ("published", "reject"),
    ("published", "publish"),
    ("superseded", "submit"),
    ("superseded", "publish"),
    ("superseded", "reject"),
]


@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_every_forbidden_transition_is_a_409_code(world, status, action):
    item = _published(world)
    version = _current(item)
    version.status = status
    version.save(update_fields=["status"])
    call = {
        "submit": lambda: services.guide_submit(version=version),
        "reject": lambda: services.guide_reject(version=version, comment="退回"),
        "publish": lambda: services.guide_publish(version=version),
    }[action]
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.code == "invalid_guide_transition"
    assert exc.value.status == 409


def test_an_editor_out_of_scope_can_neither_read_nor_edit(world):
    item = _published(world)
    with pytest.raises(DomainError) as read:
        service_item_get_for_editor(
            user=world["gz_editor"], implementation_code=item.implementation_code
        )
    assert read.value.code == "not_found"
    with pytest.raises(DomainError) as write:
        services.guide_draft_create(service_item=item, actor=world["gz_editor"])
    assert write.value.code == "not_catalog_editor"


def test_loading_the_same_guide_again_makes_no_new_version(world):
    item = _published(world)
    again = _published(world)
    assert again.pk == item.pk
    assert item.versions.count() == 1
    changed = services.guide_load_published(
        basic_item=world["basic"],
        department=world["nanjing"],
        content=valid_guide(result="食品经营许可证（电子证照）"),
    )
    assert changed.versions.count() == 2
    assert _current(changed).number == 2


def test_a_form_field_code_keeps_one_type_across_items(world):
    _published(world)
    other = services.basic_item_create(
        code="010000000003",
        name="药品经营许可",
        item_type="01",
        legal_basis="《药品管理法》",
        levels="34",
    )
    guide = valid_guide(name="药品零售企业经营许可")
    guide["form"][1]["type"] = "text"  # credit_code was published as type credit_code
    with pytest.raises(DomainError) as exc:
        services.guide_load_published(basic_item=other, department=world["nanjing"], content=guide)
    assert exc.value.code == "invalid_guide"
    assert exc.value.fields[0]["field"] == "form[1].type"
    assert not ServiceItem.objects.filter(basic_item=other).exists()
