"""Demo credit lists, measures and entries (idempotent; docs/credit.md).

南京秦淮味道餐饮管理有限公司 (biz2) is on the 严重违法失信名单 with a penalty, so it
is refused 告知承诺 and 容缺受理; 南京通办信息科技有限公司 (biz1) is on the red
list with the green channel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongban.core import clock
from tongban.core.identifiers import generate_credit_code
from tongban.credit.models import (
    CreditList,
    EntryStatus,
    ListEntry,
    ListKind,
    ListMeasure,
    Measure,
    Penalty,
    RecordSource,
)
from tongban.credit.services.lists import list_entry_add
from tongban.credit.services.penalties import PenaltyInput, penalty_enter
from tongban.org.models import Department

WAY_OUT = (
    "纠正失信行为、履行相关义务后，可在公示期满前向列入部门申请信用修复（信用修复），"
    "经审核通过后移出名单；有效期届满自动移出。"
)
LISTS: tuple[dict[str, Any], ...] = (
    {
        "code": "serious-dishonest", "name": "市场监督管理严重违法失信名单", "kind": ListKind.BLACK,
        "department": "南京市市场监督管理局",
        "legal_basis": "《市场监督管理严重违法失信名单管理办法》（国家市场监督管理总局令第44号）",
        "measures": [
            (Measure.COMMITMENT_INTAKE, "不适用告知承诺制审批", None),
            (Measure.TOLERANCE_INTAKE, "不适用容缺受理", None),
            (Measure.BIDDING, "依法限制参与政府采购、招标投标", "南京市发展和改革委员会"),
            (Measure.MARKETPLACE, "限制入驻中介服务超市", None),
            (Measure.INSPECTION_RATE, "列为重点监管对象，提高抽查比例和频次", None),
        ],
    },
    {
        "code": "commitment-breach", "name": "告知承诺失信名单", "kind": ListKind.BLACK,
        "department": "南京市市场监督管理局",
        "legal_basis": "《国务院办公厅关于全面推行证明事项和涉企经营许可事项告知承诺制的指导意见》",
        "auto_source": RecordSource.COMMITMENT_BREACH, "auto_min_severity": "serious",
        "measures": [(Measure.COMMITMENT_INTAKE, "一年内不适用告知承诺制审批", None)],
    },
    {
        "code": "a-taxpayer", "name": "纳税信用A级纳税人", "kind": ListKind.RED,
        "department": "国家税务总局南京市税务局",
        "legal_basis": "《纳税信用管理办法》第二十九条",
        "measures": [(Measure.GREEN_CHANNEL, "办税、办事绿色通道优先办理", None)],
    },
)  # fmt: skip


def demo_credit_load() -> dict[str, int]:
    now = clock.now()
    today = clock.local_date(now)
    made = 0
    for spec in LISTS:
        department = Department.objects.get(name=spec["department"])
        credit_list, created = CreditList.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"], "kind": spec["kind"], "department": department,
                "legal_basis": spec["legal_basis"], "way_out": WAY_OUT,
                "auto_source": spec.get("auto_source", ""),
                "auto_min_severity": spec.get("auto_min_severity", ""),
            },
        )  # fmt: skip
        made += int(created)
        for measure, text, implementing in spec["measures"]:
            ListMeasure.objects.get_or_create(
                credit_list=credit_list,
                measure=measure,
                defaults={
                    "description": text,
                    "implementing_department": (
                        Department.objects.get(name=implementing) if implementing else None
                    ),
                },
            )
    market = Department.objects.get(name="南京市市场监督管理局")
    shop = generate_credit_code("9132010470000002")  # 南京秦淮味道餐饮管理有限公司 (biz2)
    if not Penalty.objects.filter(decision_no="宁市监处罚〔2026〕18号").exists():
        penalty_enter(
            department=market,
            given=PenaltyInput(
                decision_no="宁市监处罚〔2026〕18号",
                legal_basis="《中华人民共和国食品安全法》第一百二十四条第一款第（三）项",
                subject_kind="entity", subject_code=shop,
                subject_name="南京秦淮味道餐饮管理有限公司",
                facts="使用超过保质期的食品原料加工食品", kind="licence", amount_fen=5_000_000,
                decided_on=today - dt.timedelta(days=40),
            ),
            actor=None, now=now,
        )  # fmt: skip
    entries = (
        ("serious-dishonest", shop, "南京秦淮味道餐饮管理有限公司",
         "因食品安全违法行为被吊销许可证（宁市监处罚〔2026〕18号）",
         "《市场监督管理严重违法失信名单管理办法》第九条"),
        ("a-taxpayer", generate_credit_code("9132010070000001"), "南京通办信息科技有限公司",
         "2025 年度纳税信用评价为 A 级", "《纳税信用管理办法》第二十九条"),
    )  # fmt: skip
    for code, subject, name, reason, basis in entries:
        if ListEntry.objects.filter(
            credit_list__code=code, subject_code=subject, status=EntryStatus.ACTIVE
        ).exists():
            continue
        list_entry_add(
            list_code=code, subject_kind="entity", subject_code=subject, subject_name=name,
            reason=reason, legal_basis=basis, valid_until=today + dt.timedelta(days=365),
            actor=None, now=now,
        )  # fmt: skip
        made += 1
    return {"lists": CreditList.objects.count(), "entries": ListEntry.objects.count(), "new": made}
