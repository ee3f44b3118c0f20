"""Writes of the kernel: the working-day calendar overrides."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import yaml
from django.db import transaction

from tongban.core import calendar, clock, errors, events
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.core.models import CalendarOverride, CalendarYear

# Emitted when a year's notice is imported or one day corrected, with
# ``{"year": …}``: dates counted on that year may have moved (ADR-0006).
CALENDAR_CHANGED = "calendar.changed"


@dataclass(frozen=True)
class CalendarNotice:
    """One year's State Council holiday notice, as an administrator enters it."""

    year: int
    source: str
    holidays: dict[dt.date, str]  # rest days (放假), with the holiday's name
    makeup_workdays: dict[dt.date, str]  # 调休上班 weekend days, with the holiday's name


def _invalid(detail: str) -> DomainError:
    return DomainError(errors.CALENDAR_IMPORT_INVALID, detail)


def _as_date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _invalid(f"{where}：日期 {value!r} 不是 YYYY-MM-DD 格式") from None


def _expand(start: dt.date, end: dt.date, where: str) -> list[dt.date]:
    if end < start or (end - start).days > 31:
        raise _invalid(f"{where}：起止日期不合理（{start} 至 {end}）")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def calendar_notice_parse(content: str, *, filename: str) -> CalendarNotice:
    """Parse a notice file: YAML (``year``, ``source``, ``holidays``,
    ``makeup_workdays``) or CSV (``date,kind,name`` with a ``# year:`` and
    ``# source:`` header line). See docs/calendar.md for both formats."""
    if filename.lower().endswith(".csv"):
        return _parse_csv(content)
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        raise _invalid(f"YAML 格式错误：{exc}") from None
    except ValueError as exc:  # an unquoted impossible date (2027-02-30) fails in PyYAML
        raise _invalid(f"YAML 中有不存在的日期：{exc}") from None
    if not isinstance(data, dict):
        raise _invalid("文件内容须为包含 year、source、holidays、makeup_workdays 的映射")
    try:
        year = int(data["year"])
        source = str(data["source"]).strip()
    except (KeyError, TypeError, ValueError):
        raise _invalid("缺少 year（年度）或 source（通知文号）") from None
    for section in ("holidays", "makeup_workdays"):
        if not isinstance(data.get(section) or [], list):
            raise _invalid(f"{section} 须为列表")
    holidays: dict[dt.date, str] = {}
    for i, entry in enumerate(data.get("holidays") or [], start=1):
        where = f"holidays 第 {i} 项"
        if not isinstance(entry, dict) or "name" not in entry:
            raise _invalid(f"{where}：须含 name 与 date 或 start/end")
        name = str(entry["name"]).strip()
        if "date" in entry:
            days = [_as_date(entry["date"], where)]
        else:
            days = _expand(
                _as_date(entry.get("start"), where), _as_date(entry.get("end"), where), where
            )
        for day in days:
            holidays[day] = name
    makeup: dict[dt.date, str] = {}
    for i, entry in enumerate(data.get("makeup_workdays") or [], start=1):
        where = f"makeup_workdays 第 {i} 项"
        if not isinstance(entry, dict) or "date" not in entry:
            raise _invalid(f"{where}：须含 date 与 name")
        makeup[_as_date(entry["date"], where)] = str(entry.get("name", "")).strip()
    return CalendarNotice(year, source, holidays, makeup)


def _parse_csv(content: str) -> CalendarNotice:
    meta: dict[str, str] = {}
    rows = []
    for line in content.splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip().lower()] = value.strip()
        elif line.strip():
            rows.append(line)
    try:
        year = int(meta["year"])
        source = meta["source"]
    except (KeyError, ValueError):
        raise _invalid("CSV 须以 “# year: 2027” 与 “# source: 通知文号” 两行开头") from None
    reader = csv.DictReader(io.StringIO("\n".join(rows)))
    if reader.fieldnames is None or {"date", "kind", "name"} - set(reader.fieldnames):
        raise _invalid("CSV 表头须为 date,kind,name")
    holidays: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    for line_no, row in enumerate(reader, start=2):
        where = f"CSV 第 {line_no} 行"
        day = _as_date(row["date"], where)
        kind = (row["kind"] or "").strip()
        if kind == "holiday":
            holidays[day] = (row["name"] or "").strip()
        elif kind == "makeup_workday":
            makeup[day] = (row["name"] or "").strip()
        else:
            raise _invalid(f"{where}：kind 须为 holiday 或 makeup_workday，收到 {kind!r}")
    return CalendarNotice(year, source, holidays, makeup)


def calendar_notice_import(
    *, notice: CalendarNotice, actor: str, now: dt.datetime | None = None
) -> CalendarYear:
    """Record a year's notice: replaces that year's overrides, marks the year covered."""
    moment = now or clock.now()
    year = notice.year
    if not 2000 <= year <= 2100:
        raise _invalid(f"年度 {year} 不在 2000 至 2100 之间")
    if not notice.source:
        raise _invalid("须注明依据（国务院办公厅通知的文号）")
    if not notice.holidays:
        raise _invalid("未列出任何放假日期")
    lowest, highest = dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)
    both = set(notice.holidays) & set(notice.makeup_workdays)
    if both:
        raise _invalid(f"{min(both)} 同时列为放假和调休上班")
    for day in [*notice.holidays, *notice.makeup_workdays]:
        if not lowest <= day <= highest:
            raise _invalid(f"{day} 不属于 {year} 年的节假日安排")
    for day in notice.makeup_workdays:
        if day.weekday() < 5:
            raise _invalid(f"{day} 是工作日，无须列为调休上班（调休上班日应为周六或周日）")
    with transaction.atomic():
        CalendarOverride.objects.filter(
            date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        ).delete()
        rows = [
            CalendarOverride(date=d, working=False, name=n, source=notice.source, updated_at=moment)
            for d, n in notice.holidays.items()
        ] + [
            CalendarOverride(date=d, working=True, name=n, source=notice.source, updated_at=moment)
            for d, n in notice.makeup_workdays.items()
        ]
        for row in rows:
            CalendarOverride.objects.update_or_create(
                date=row.date,
                defaults={
                    "working": row.working,
                    "name": row.name,
                    "source": row.source,
                    "updated_at": moment,
                },
            )
        record, _ = CalendarYear.objects.update_or_create(
            year=year,
            defaults={"source": notice.source, "imported_at": moment, "imported_by": actor},
        )
        audit_record(
            actor=actor,
            action="calendar.import",
            object_type="calendar_year",
            object_id=str(year),
            details={
                "source": notice.source,
                "holidays": len(notice.holidays),
                "makeup_workdays": len(notice.makeup_workdays),
            },
            now=moment,
        )
        events.emit(CALENDAR_CHANGED, {"year": year}, now=moment)
    calendar.clear_cache()
    return record


def calendar_override_set(
    *,
    date: dt.date,
    working: bool,
    name: str,
    source: str,
    actor: str,
    now: dt.datetime | None = None,
) -> CalendarOverride:
    """Correct one day (an administrator's edit on the admin page)."""
    moment = now or clock.now()
    if not source.strip():
        raise _invalid("须注明调整依据")
    with transaction.atomic():
        override, _ = CalendarOverride.objects.update_or_create(
            date=date,
            defaults={
                "working": working,
                "name": name.strip(),
                "source": source.strip(),
                "updated_at": moment,
            },
        )
        audit_record(
            actor=actor,
            action="calendar.override",
            object_type="calendar_day",
            object_id=date.isoformat(),
            details={"working": working, "name": name, "source": source},
            now=moment,
        )
        events.emit(CALENDAR_CHANGED, {"year": date.year}, now=moment)
    calendar.clear_cache()
    return override
