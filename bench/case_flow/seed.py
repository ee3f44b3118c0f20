"""Phase 1: seed persons, cases and their history with COPY (``--seed-only``)."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bench.common import (
    copy_rows,
    next_id,
    reset_sequence,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉"

# --- seeding ---------------------------------------------------------------------------------


def _persons(count: int, start_id: int, today: dt.date) -> Iterator[tuple[Any, ...]]:
    """Persons with real ciphertexts and search tokens (as person_register writes them)."""
    from tongban.core.crypto import encrypt, search_token
    from tongban.core.identifiers import generate_check_digit_resident
    from tongban.core.masking import mask_id_number, mask_phone
    from tongban.identity.selectors import ID_NUMBER_CONTEXT, PHONE_CONTEXT

    rng = random.Random(7)
    assert start_id + count <= 250_000, "birth dates would pass 1992"
    regions = ["320102", "320104", "320115", "320106", "360702", "360781", "360703"]
    now = dt.datetime.now(dt.UTC)
    for n in range(count):
        # (birth date, sequence number) differ for every person id: unique ID numbers.
        m = start_id + n
        born = dt.date(1960, 1, 1) + dt.timedelta(days=(m // 1000) * 47)
        region = regions[m % len(regions)]
        first17 = f"{region}{born:%Y%m%d}{m % 1000:03d}"
        number = first17 + generate_check_digit_resident(first17)
        phone = f"13{n % 10}{n:08d}"[-11:]
        yield (
            start_id + n,
            rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            encrypt(number, context=ID_NUMBER_CONTEXT),
            search_token(number, context=ID_NUMBER_CONTEXT),
            mask_id_number(number),
            born,
            "male" if int(number[16]) % 2 else "female",
            region,
            encrypt(phone, context=PHONE_CONTEXT),
            search_token(phone, context=PHONE_CONTEXT),
            mask_phone(phone),
            now,
        )


PERSON_COLUMNS = (
    "id",
    "name",
    "id_number_enc",
    "id_number_token",
    "id_number_masked",
    "birth_date",
    "sex",
    "region_code",
    "phone_enc",
    "phone_token",
    "phone_masked",
    "created_at",
)

CASE_COLUMNS = (
    "id",
    "case_no",
    "version",
    "rules",
    "region_path",
    "applicant_name",
    "channel",
    "situation",
    "form_data",
    "status",
    "received_at",
    "received_on",
    "accepted_on",
    "deemed_accepted",
    "refused_on",
    "extension_days",
    "extension_reason",
    "decided_on",
    "delivered_on",
    "concluded_at",
    "withdrawn_at",
    "acceptance_deadline",
    "decision_deadline",
    "delivery_deadline",
    "outcome",
    "decision_reason",
    "decision_basis",
    "delivery_method",
    "tracking_no",
    "commitment",
    "created_at",
    "updated_at",
    "applicant_person_id",
    "department_id",
    "guide_version_id",
    "service_item_id",
    "tracking_code",
    "exemptions",
    "form_secret",
    "fees_unpaid_fen",
    "cross_region",
)

EVENT_COLUMNS = (
    "id",
    "case_id",
    "at",
    "actor_label",
    "action",
    "from_status",
    "to_status",
    "reason",
    "details",
)


@dataclass
class ItemInfo:
    pk: int
    region: str
    region_path: str
    department: int
    version: int
    rules: str  # the rules snapshot as JSON text (the same for every case of the item)
    limit: Any  # deadlines.TimeRule


def _items() -> list[ItemInfo]:
    from tongban.cases.deadlines import TimeRule
    from tongban.cases.services.intake import rules_snapshot
    from tongban.catalog.content import GuideContent
    from tongban.catalog.models import ServiceItem

    out = []
    for item in ServiceItem.objects.filter(status="active").select_related("current_version"):
        guide = GuideContent.model_validate(item.current_version.content)
        rules = rules_snapshot(guide, item)
        limit = rules["promised_limit"]
        out.append(
            ItemInfo(
                item.pk,
                item.region_id,
                item.region_path,
                item.department_id,
                item.current_version_id,
                json.dumps(rules, ensure_ascii=False),
                TimeRule(limit["value"], limit["unit"]),
            )
        )
    return out


def _status_for(age: int, rng: random.Random) -> str:
    """A plausible state for a case received ``age`` calendar days ago."""
    if age >= 45:
        roll = rng.random()
        return "concluded" if roll < 0.94 else "refused" if roll < 0.98 else "withdrawn"
    if age < 2:
        return "submitted"
    if age < 4:
        return "accepted"
    if age < 20:
        return "under_review"
    if age < 25:
        return "decided"
    if age < 30:
        return "delivered"
    return "concluded"


STEPS = {  # the transitions behind each state, after "submit"
    "submitted": [],
    "refused": [("refuse", "submitted", "refused")],
    "withdrawn": [("withdraw", "submitted", "withdrawn")],
    "accepted": [("accept", "submitted", "accepted")],
    "under_review": [
        ("accept", "submitted", "accepted"),
        ("start_review", "accepted", "under_review"),
    ],
    "suspended": [
        ("accept", "submitted", "accepted"),
        ("start_review", "accepted", "under_review"),
        ("suspend", "under_review", "suspended"),
    ],
    "decided": [("accept", "submitted", "accepted"), ("decide", "accepted", "decided")],
    "delivered": [
        ("accept", "submitted", "accepted"),
        ("decide", "accepted", "decided"),
        ("deliver", "decided", "delivered"),
    ],
    "concluded": [
        ("accept", "submitted", "accepted"),
        ("decide", "accepted", "decided"),
        ("deliver", "decided", "delivered"),
        ("conclude", "delivered", "concluded"),
    ],
}


def seed(*, cases: int, persons: int, today: dt.date) -> dict[str, Any]:
    """COPY persons, cases and their history; returns counts and timings."""
    from django.db import connection

    from tongban.cases import deadlines
    from tongban.cases.models import Case, CaseEvent, CaseNumberSequence
    from tongban.core.calendar import get_calendar
    from tongban.core.errors import DomainError
    from tongban.identity.models import Person

    started = time.perf_counter()
    cal = get_calendar()
    items = _items()
    first_person = next_id(Person._meta.db_table)
    copy_rows(Person._meta.db_table, PERSON_COLUMNS, _persons(persons, first_person, today))
    reset_sequence(Person._meta.db_table)
    names = dict(
        Person.objects.filter(pk__gte=first_person).values_list("pk", "name").iterator(10000)
    )
    person_ids = sorted(names)
    persons_done = time.perf_counter()

    rng = random.Random(11)
    # Numbers continue after the cases already there (the demo's), per county and day.
    counters: Counter[tuple[str, dt.date]] = Counter(
        {
            (region, day): last
            for region, day, last in CaseNumberSequence.objects.values_list(
                "region_code", "day", "last"
            )
        }
    )
    derived_cache: dict[Any, Any] = {}
    case_id = next_id(Case._meta.db_table)
    event_id = next_id(CaseEvent._meta.db_table)
    statuses: Counter[str] = Counter()

    def derived(facts: Any, rule: Any) -> Any:
        key = (facts, rule)
        if key not in derived_cache:
            try:
                derived_cache[key] = deadlines.recompute(facts, rule, cal, today=today)
            except DomainError:  # a date beyond the calendar's years
                derived_cache[key] = None
        return derived_cache[key]

    def working_after(day: dt.date, n: int) -> dt.date:
        """``n`` working days after ``day``, but never after today (a fact, not a deadline)."""
        try:
            return min(today, cal.add_working_days(day, n)) if n > 0 else day
        except DomainError:  # past the calendar's last year: later than today anyway
            return today

    def batch(size: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        nonlocal case_id, event_id
        rows, events = [], []
        for _ in range(size):
            item = rng.choice(items)
            person = rng.choice(person_ids)
            age = rng.randint(0, 729)
            received_on = today - dt.timedelta(days=age)
            received_at = dt.datetime.combine(
                received_on, dt.time(1 + rng.randint(0, 8), rng.randint(0, 59)), tzinfo=dt.UTC
            )
            status = _status_for(age, rng)
            statuses[status] += 1
            steps = STEPS[status]
            actions = [s[0] for s in steps]
            accepted_on = (
                working_after(received_on, rng.randint(0, 2)) if "accept" in actions else None
            )
            decided_on = (
                min(today, working_after(accepted_on, rng.randint(1, max(1, item.limit.limit))))
                if accepted_on and "decide" in actions
                else None
            )
            delivered_on = (
                min(today, working_after(decided_on, rng.randint(0, 3)))
                if decided_on and "deliver" in actions
                else None
            )
            refused_on = working_after(received_on, 1) if status == "refused" else None
            facts = deadlines.CaseClockFacts(
                received=received_on,
                accepted_on=accepted_on,
                deemed=False,
                refused_on=min(today, refused_on) if refused_on else None,
                supplement_requested_on=None,
                supplement_completed_on=None,
                suspensions=(),
                extension=None,
                decided_on=decided_on,
                delivered_on=delivered_on,
            )
            d = derived(facts, item.limit)
            counters[(item.region, received_on)] += 1
            case_no = f"{item.region}{received_on:%Y%m%d}{counters[(item.region, received_on)]:06d}"
            concluded_at = (
                dt.datetime.combine(delivered_on, dt.time(9), tzinfo=dt.UTC)
                if status == "concluded" and delivered_on
                else None
            )
            rows.append(
                (
                    case_id,
                    case_no,
                    1 + len(steps),
                    item.rules,
                    item.region_path,
                    names[person],
                    rng.choice(("online", "online", "online", "window", "mobile")),
                    "",
                    "{}",
                    status,
                    received_at,
                    received_on,
                    accepted_on,
                    False,
                    facts.refused_on,
                    0,
                    "",
                    decided_on,
                    delivered_on,
                    concluded_at,
                    received_at + dt.timedelta(days=1) if status == "withdrawn" else None,
                    d.acceptance_deadline if d else None,
                    d.decision_deadline if d else None,
                    d.delivery_deadline if d else None,
                    "granted" if decided_on else "",
                    "符合法定条件" if decided_on else "",
                    "《中华人民共和国行政许可法》第三十八条" if decided_on else "",
                    "electronic" if delivered_on else "",
                    "",
                    False,
                    received_at,
                    received_at,
                    person,
                    item.department,
                    item.version,
                    item.pk,
                    "".join(rng.choices("ABCDEFGHJKMNPQRSTUVWXYZ23456789", k=8)),  # 查询码
                    "[]",
                    "{}",
                    0,  # no fee unpaid (统一网上支付)
                    "",  # taken in by the owning region (not 同城通办 / 异地代办)
                )
            )
            when = received_at
            events.append((event_id, case_id, when, "申请人", "submit", "", "submitted", "", "{}"))
            event_id += 1
            for action, frm, to in steps:
                when = when + dt.timedelta(hours=rng.randint(2, 60))
                events.append((event_id, case_id, when, "工作人员", action, frm, to, "", "{}"))
                event_id += 1
            case_id += 1
        return rows, events

    size = 50_000
    done = 0
    while done < cases:
        rows, events = batch(min(size, cases - done))
        copy_rows(Case._meta.db_table, CASE_COLUMNS, rows)
        copy_rows(CaseEvent._meta.db_table, EVENT_COLUMNS, events)
        done += len(rows)
        print(f"  {done:,} cases", flush=True)
    reset_sequence(Case._meta.db_table)
    reset_sequence(CaseEvent._meta.db_table)
    # Every counter, the ones read above included, as the last number of its day.
    CaseNumberSequence.objects.all().delete()
    copy_rows(
        CaseNumberSequence._meta.db_table,
        ("region_code", "day", "last"),
        ((region, day, last) for (region, day), last in counters.items()),
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "persons": persons,
        "cases": cases,
        "statuses": dict(statuses.most_common()),
        "persons_s": round(persons_done - started, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }
