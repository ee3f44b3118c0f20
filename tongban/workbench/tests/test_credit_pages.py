"""Credit pages of the workbench (issue 17): 行政处罚 entered and imported, red and
black list entries added and removed, 信用修复 reviewed; each scoped to the
caller's department and region, each refusal shown with nothing written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from tongban.cases.tests.conftest import _staff
from tongban.core import clock
from tongban.credit.models import (
    ClassChange,
    CreditRecord,
    CreditRepair,
    ListEntry,
    Penalty,
)
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.penalties import COLUMNS
from tongban.credit.services.repairs import repair_apply
from tongban.credit.tests.conftest import entity_code, make_lists
from tongban.org.models import Role

pytestmark = pytest.mark.django_db
PERSON_ID = "11010519491231002X"
# Mon 2 Nov 2026, 10:00 in Shanghai: 20 working days later is still in a year with calendar data.
T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: T0)


@pytest.fixture
def credit():
    lists = make_lists()
    handler = _staff("market_handler", Role.HANDLER, lists.market)
    stranger = _staff("ganzhou_handler", Role.HANDLER, lists.other)
    return lists, handler, stranger


def _penalty(department_id: int, **kw: str) -> dict[str, str]:
    return {
        "action": "enter",
        "p-department": str(department_id),
        "p-decision_no": "宁市监罚〔2026〕101号",
        "p-legal_basis": "《食品安全法》第一百二十四条",
        "p-subject_kind": "entity",
        "p-subject_code": entity_code(1),
        "p-subject_name": "南京甲食品有限公司",
        "p-facts": "经营超过保质期的食品",
        "p-kind": "fine",
        "p-amount_yuan": "20000",
        "p-decided_on": clock.today().isoformat(),
    } | {f"p-{k}": v for k, v in kw.items()}


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "penalties.xlsx"
    return out


def test_a_department_enters_a_penalty_which_lowers_the_class_and_a_bad_one_writes_nothing(
    client, credit
):
    lists, handler, stranger = credit
    client.force_login(handler)
    page = client.get("/workbench/credit/penalties/")
    assert page.status_code == 200 and "录入一条行政处罚" in page.content.decode()
    # Without the legal basis: a form error, nothing written.
    refused = client.post("/workbench/credit/penalties/", _penalty(lists.market.pk, legal_basis=""))
    assert refused.status_code == 422 and not Penalty.objects.exists()
    # Another city's department is not the caller's to act for.
    foreign = client.post("/workbench/credit/penalties/", _penalty(lists.other.pk))
    assert foreign.status_code == 422 and not Penalty.objects.exists()
    done = client.post("/workbench/credit/penalties/", _penalty(lists.market.pk), follow=True)
    assert "已录入行政处罚" in done.content.decode()
    penalty = Penalty.objects.get()
    assert penalty.amount_fen == 2_000_000 and penalty.department == lists.market
    assert penalty.record.severity == "serious"  # a fine from 10,000 yuan
    assert ClassChange.objects.get(subject_code=penalty.subject_code).to_class == "C"
    again = client.post("/workbench/credit/penalties/", _penalty(lists.market.pk))
    assert again.status_code == 422 and "已录入" in again.content.decode()
    assert Penalty.objects.count() == 1
    # The other city's staff do not see it.
    client.force_login(stranger)
    assert (
        "宁市监罚〔2026〕101号" not in client.get("/workbench/credit/penalties/").content.decode()
    )


def test_an_import_with_bad_lines_lists_each_line_and_writes_nothing_then_a_good_one_imports(
    client, credit
):
    lists, handler, _ = credit
    client.force_login(handler)
    today = clock.today().isoformat()
    basis = "《食品安全法》"
    bad = _xlsx(
        [
            [
                "宁市监罚〔2026〕201号",
                basis,
                "法人",
                entity_code(2),
                "乙",
                "事实",
                "警告",
                0,
                today,
            ],
            ["宁市监罚〔2026〕202号", "", "法人", entity_code(3), "丙", "事实", "罚款", 500, today],
            ["宁市监罚〔2026〕203号", basis, "法人", "123", "丁", "事实", "罚款", 1, "昨天"],
        ]
    )
    page = client.post(
        "/workbench/credit/penalties/",
        {"action": "import", "x-department": str(lists.market.pk), "x-file": bad},
    )
    text = page.content.decode()
    assert page.status_code == 422
    assert "第 3 行：处罚依据不能为空" in text and "第 4 行" in text and "第 2 行" not in text
    assert not Penalty.objects.exists() and not CreditRecord.objects.exists()
    good = _xlsx(
        [
            [
                "宁市监罚〔2026〕201号",
                basis,
                "法人",
                entity_code(2),
                "乙",
                "事实",
                "警告",
                0,
                today,
            ],
            [
                "宁市监罚〔2026〕202号",
                basis,
                "自然人",
                PERSON_ID,
                "张三",
                "事实",
                "罚款",
                500,
                today,
            ],
        ]
    )
    done = client.post(
        "/workbench/credit/penalties/",
        {"action": "import", "x-department": str(lists.market.pk), "x-file": good},
        follow=True,
    )
    text = done.content.decode()
    assert "已导入 2 条行政处罚" in text
    assert Penalty.objects.count() == 2
    assert PERSON_ID not in text and "张三" not in text and "张*" in text  # masked


def test_staff_list_a_subject_see_it_and_remove_it_and_another_city_cannot(client, credit):
    lists, handler, stranger = credit
    client.force_login(handler)
    form = {
        "action": "add",
        "n-list_code": lists.black.code,
        "n-subject_kind": "entity",
        "n-subject_code": entity_code(5),
        "n-subject_name": "南京戊贸易有限公司",
        "n-reason": "提交虚假材料取得许可",
        "n-legal_basis": "《行政许可法》第七十九条",
        "n-valid_until": (clock.today() - dt.timedelta(days=1)).isoformat(),
    }
    expired = client.post("/workbench/credit/entries/", form)
    assert expired.status_code == 422 and "已过" in expired.content.decode()
    assert not ListEntry.objects.exists()
    form["n-valid_until"] = (clock.today() + dt.timedelta(days=365)).isoformat()
    client.post("/workbench/credit/entries/", form, follow=True)
    entry = ListEntry.objects.get()
    assert entry.status == "active" and entry.subject_code == entity_code(5)
    page = client.get("/workbench/credit/entries/").content.decode()
    assert "南京戊贸易有限公司" in page and "不适用告知承诺制审批" in page  # the measures
    # The other city's staff neither see nor remove it.
    client.force_login(stranger)
    assert "南京戊贸易有限公司" not in client.get("/workbench/credit/entries/").content.decode()
    hidden = client.post(
        "/workbench/credit/entries/",
        {"action": "remove", "entry": str(entry.pk), f"e{entry.pk}-reason": "撤销"},
    )
    assert hidden.status_code == 422 and "不存在" in hidden.content.decode()
    entry.refresh_from_db()
    assert entry.status == "active"
    client.force_login(handler)
    no_reason = client.post(
        "/workbench/credit/entries/", {"action": "remove", "entry": str(entry.pk)}
    )
    assert no_reason.status_code == 422
    client.post(
        "/workbench/credit/entries/",
        {"action": "remove", "entry": str(entry.pk), f"e{entry.pk}-reason": "处罚决定被撤销"},
    )
    entry.refresh_from_db()
    assert entry.status == "removed" and entry.removed_on == clock.today()


def test_the_entries_page_costs_the_same_queries_at_any_length(
    client, credit, django_assert_num_queries
):
    lists, handler, _ = credit
    client.force_login(handler)

    def add(n: int) -> None:
        list_entry_add(
            list_code=lists.black.code, subject_kind="entity", subject_code=entity_code(100 + n),
            reason="事由", legal_basis="依据", actor=None,
            valid_until=clock.today() + dt.timedelta(days=30),
        )  # fmt: skip

    add(0)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/workbench/credit/entries/")
    for n in range(1, 6):
        add(n)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/workbench/credit/entries/")


def test_a_repair_is_refused_without_a_reason_then_approved_with_the_removal_date(client, credit):
    lists, handler, stranger = credit
    entry = list_entry_add(
        list_code=lists.black.code, subject_kind="entity", subject_code=entity_code(7),
        subject_name="南京庚餐饮有限公司", reason="事由", legal_basis="依据", actor=None,
        valid_until=clock.today() + dt.timedelta(days=300),
    )  # fmt: skip
    (repair,) = repair_apply(subject_code=entity_code(7), reason="已整改", evidence="整改报告")
    client.force_login(stranger)
    assert "南京庚餐饮有限公司" not in client.get("/workbench/credit/repairs/").content.decode()
    client.force_login(handler)
    assert "南京庚餐饮有限公司" in client.get("/workbench/credit/repairs/").content.decode()
    url = "/workbench/credit/repairs/"
    refused = client.post(url, {"repair": str(repair.pk), f"r{repair.pk}-decision": "reject"})
    assert refused.status_code == 422 and "须写明理由" in refused.content.decode()
    repair.refresh_from_db()
    assert repair.status == "submitted"
    approve = {
        "repair": str(repair.pk),
        f"r{repair.pk}-decision": "approve",
        f"r{repair.pk}-note": "整改到位",
    }
    done = client.post(url, approve, follow=True)
    assert "移出名单" in done.content.decode()
    repair = CreditRepair.objects.get(pk=repair.pk)
    entry.refresh_from_db()
    assert repair.status == "approved" and repair.removed_on == clock.today()
    assert entry.status == "removed"


def test_a_window_clerk_or_a_citizen_does_not_enter_the_credit_pages(client, credit):
    lists, _, _ = credit
    clerk = _staff("market_clerk", Role.WINDOW_CLERK, lists.market)
    client.force_login(clerk)
    for url in (
        "/workbench/credit/penalties/",
        "/workbench/credit/entries/",
        "/workbench/credit/repairs/",
    ):
        assert client.get(url).status_code == 403
