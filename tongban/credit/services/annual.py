"""企业年度报告 (R-CR-5): the window, the reports, reminders, and the annual
inspections abolished.

企业信息公示暂行条例 第八条: an enterprise reports the previous year between
1 January and 30 June. The 年检 that used to be required instead has been
abolished (``ABOLISHED``); the portal shows the list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from tongban.core import clock
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError, define
from tongban.credit.models import AnnualReport

ANNUAL_REPORT_CLOSED = define("annual_report_closed", 422, "不在年度报告报送期内")
ANNUAL_REPORT_DUPLICATE = define("annual_report_duplicate", 409, "该年度报告已报送")

# (formerly, now, basis) — annual inspections without a legal basis, abolished.
ABOLISHED = (
    ("企业年度检验（企业年检）", "企业年度报告公示（每年1月1日至6月30日）",
     "《国务院关于印发注册资本登记制度改革方案的通知》（国发〔2014〕7号）；《企业信息公示暂行条例》第八条"),
    ("个体工商户验照", "个体工商户年度报告",
     "《个体工商户年度报告暂行办法》（国家工商行政管理总局令第69号）"),
    ("农民专业合作社年度检验", "农民专业合作社年度报告",
     "《农民专业合作社年度报告公示暂行办法》（国家工商行政管理总局令第70号）"),
    ("外商投资企业联合年检", "外商投资企业年度报告（与企业年报“多报合一”）",
     "《商务部等部门关于做好外商投资企业年度投资经营信息联合报告工作的通知》"),
)  # fmt: skip


def report_window(year: int) -> tuple[dt.date, dt.date]:
    """The window in ``year`` for the report on ``year - 1`` (企业信息公示暂行条例 第八条)."""
    return dt.date(year, 1, 1), dt.date(year, 6, 30)


def in_window(day: dt.date) -> bool:
    start, end = report_window(day.year)
    return start <= day <= end


def annual_report_submit(
    *, credit_code: str, actor: Any, now: dt.datetime | None = None
) -> AnnualReport:
    """报送 the report on last year, inside this year's window only, once."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    if not in_window(today):
        start, end = report_window(today.year + (1 if today.month > 6 else 0))
        raise DomainError(
            ANNUAL_REPORT_CLOSED,
            "年度报告报送期为每年 1 月 1 日至 6 月 30 日；"
            f"下一次为 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}。",
        )
    try:
        with transaction.atomic():
            AnnualReport.objects.get_or_create(credit_code=credit_code, year=today.year - 1)
            report = AnnualReport.objects.select_for_update().get(
                credit_code=credit_code, year=today.year - 1
            )
            if report.submitted_at is not None:
                raise DomainError(ANNUAL_REPORT_DUPLICATE, f"{today.year - 1} 年度报告已报送。")
            report.submitted_at = moment
            report.save(update_fields=["submitted_at"])
            audit_record(
                actor=actor_label(actor),
                action="credit.annual_report",
                object_type="legal_entity",
                object_id=credit_code,
                details={"year": today.year - 1},
                now=moment,
            )
    except IntegrityError:
        raise DomainError(ANNUAL_REPORT_DUPLICATE, f"{today.year - 1} 年度报告已报送。") from None
    return report


def annual_reports_remind(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """In the window, each registered legal entity that has not reported last year
    is reminded once by SMS to its legal representative (from 1 June, again once)."""
    from tongban.core.crypto import decrypt
    from tongban.core.notifications import notification_send
    from tongban.identity.models import LegalEntity
    from tongban.identity.selectors import PHONE_CONTEXT

    moment = now or clock.now()
    today = clock.local_date(moment)
    if not in_window(today):
        return {"reminded": 0, "in_window": False}
    year = today.year - 1
    round_ = "late" if today.month == 6 else "open"
    done = set(
        AnnualReport.objects.filter(year=year, submitted_at__isnull=False).values_list(
            "credit_code", flat=True
        )
    )
    reminded = 0
    for entity in LegalEntity.objects.select_related("legal_representative").order_by("pk"):
        holder = entity.legal_representative
        if entity.credit_code in done or holder is None or not holder.phone_enc:
            continue
        with transaction.atomic():
            report, _ = AnnualReport.objects.get_or_create(
                credit_code=entity.credit_code, year=year
            )
            notification_send(
                channel="sms",
                recipient=decrypt(holder.phone_enc, context=PHONE_CONTEXT),
                subject="年度报告提醒",
                body=(
                    f"{entity.name}：请于 {today.year} 年 6 月 30 日前通过国家企业信用信息公示系统"
                    f"报送 {year} 年度报告并向社会公示；逾期未报送将被列入经营异常名录。"
                ),
                purpose="annual_report",
                object_type="legal_entity",
                object_id=f"{entity.credit_code}/{year}/{round_}",
                now=moment,
            )
            report.reminded_at = moment
            report.save(update_fields=["reminded_at"])
        reminded += 1
    return {"reminded": reminded, "in_window": True}
