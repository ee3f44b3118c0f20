"""Matching every current policy against the 法人库 in one pass (issue 14, item 4).

:func:`~tongban.policies.services.policy_match_run` matches one policy with one
SQL selection; run for each of 1,000 policies it reads the 1,000,000 records
1,000 times. :func:`policy_match_all` reads them once, in key order (on
PostgreSQL through one server-side cursor of plain tuples), and tests each
business only against the policies that can concern it: the policies are
filed by the region prefixes and the 门类 they name (a business of 门类 H in
320102 is looked up among the policies of 32, 3201, 320102 or everywhere that
name H or no industry), and those whose region and industry conditions hold
are kept per (district, 小类), so a business is tested only on the rest.
The test of one policy is :func:`rules.compile_rules` (plain comparisons, no
SQL); a business that passes and is not matched yet
gets its reasons from :func:`rules.explain`, which is also the final word.
The words depend only on the facts the policy's rules name, so they are made
once per policy and such facts (a district's 大类 policy says the same to
every small business of that district and 大类).

The new matches of a chunk are written in one transaction: on PostgreSQL with
COPY into a temporary table and one ``INSERT … ON CONFLICT DO NOTHING
RETURNING`` (so exactly the rows written are pushed), elsewhere with
``bulk_create``. One match per policy and business (matching again adds only
new ones), 免申即享 granted on the match (and recorded as a case through
``policy.granted``), SMS to businesses that opted in: as ``policy_match_run``;
which new businesses have an account (for both) is one read per chunk.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from tongban.core import clock
from tongban.identity.models import LegalEntity
from tongban.policies import rules
from tongban.policies.models import Policy, PolicyMatch
from tongban.policies.services import grant_reason, grants_emit, matched_emit, policy_sms_send
from tongban.sharing.models import BusinessRecord, BusinessStatus

CHUNK = 5000
COLUMNS = (
    "pk",
    "credit_code",
    "name",
    "region_code",
    "established_on",
    "classification__industry_code",
    "classification__size_class",
    "classification__credit_class",
)
# The row's places of the facts each condition reads (rules.explain).
FACTS = {"industry": 5, "size": 6, "region": 3, "years": 4, "credit": 7}
KEPT = 200_000  # (region, industry) lists the index keeps at most
PHASES = ("read", "test", "seen", "explain", "write", "grants")
# PostgreSQL: a chunk's new matches are copied into a temporary table (emptied
# at each commit), then inserted but for those already there (a run at the same time).
_TABLE = "policies_policymatch"
_WRITTEN = "policy_id, credit_code, business_name, reasons, matched_at, granted_at, grant_reason"
NEW_TABLE_SQL = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS policy_match_new ON COMMIT DELETE ROWS "  # noqa: S608
    f"AS SELECT {_WRITTEN} FROM {_TABLE} WITH NO DATA"
)
COPY_SQL = f"COPY policy_match_new ({_WRITTEN}) FROM STDIN"
INSERT_SQL = (
    f"INSERT INTO {_TABLE} ({_WRITTEN}) SELECT {_WRITTEN} FROM policy_match_new "  # noqa: S608
    "ON CONFLICT (policy_id, credit_code) DO NOTHING RETURNING policy_id, credit_code"
)
Row = tuple[Any, ...]


@dataclass(frozen=True)
class BatchResult:
    policies: int
    businesses_read: int
    tested: int  # (policy, business) pairs tested on size, credit and age after the index
    matched: int  # new matches written
    # Seconds spent reading the 法人库, testing, finding the matches made
    # before, putting reasons in words, writing the matches and telling
    # cases / SMS (PHASES).
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Compiled:
    policy: Policy
    parsed: rules.Rules
    test: rules.Test
    reason: str  # 免申即享's basis, or ""
    facts: Callable[[Row], Any]  # the facts its reasons depend on
    # facts → (reasons, reasons as JSON), or None where explain says no.
    words: dict[Any, tuple[list[str], str] | None] = field(default_factory=dict)


def current_policies(today: dt.date) -> list[Policy]:
    return list(
        Policy.objects.filter(published=True, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("pk")
    )


def _facts(parsed: rules.Rules) -> Callable[[Row], Any]:
    named = [
        FACTS[key]
        for key, given in (
            ("industry", parsed.industry),
            ("size", parsed.size),
            ("region", parsed.region),
            ("years", parsed.min_years is not None or parsed.max_years is not None),
            ("credit", parsed.credit),
        )
        if given
    ]
    if not named:
        return lambda row: ()
    return itemgetter(*named)


class _Index:
    """The policies that can concern a business, by its region and its industry.

    A policy is filed under each (region prefix, 门类) its rules name, "" for no
    region and "*" for no industry; a business looks under its three region
    prefixes and "", each with its 门类 and "*", and keeps those whose region
    and industry conditions it meets. The list is kept per (region, 小类):
    every business of a district and trade is tested against the same few."""

    def __init__(self, compiled: list[_Compiled]) -> None:
        self.filed: dict[tuple[str, str], list[_Compiled]] = defaultdict(list)
        for entry in compiled:
            regions = entry.parsed.region or ("",)
            sections = sorted({code[0] for code in entry.parsed.industry}) or ["*"]
            for region in regions:
                for section in sections:
                    self.filed[(region, section)].append(entry)
        self.kept: dict[tuple[str, str | None], list[_Compiled]] = {}

    def for_business(self, region: str, industry: str | None) -> list[_Compiled]:
        key = (region, industry)
        kept = self.kept.get(key)
        if kept is None:
            if len(self.kept) >= KEPT:
                self.kept.clear()
            kept = self.kept[key] = [
                e for e in self._filed(region, industry) if _concerns(e.parsed, region, industry)
            ]
        return kept

    def _filed(self, region: str, industry: str | None) -> list[_Compiled]:
        found: list[_Compiled] = []
        sections = ("*", industry[0]) if industry else ("*",)
        filed = self.filed
        for prefix in ("", region[:2], region[:4], region[:6]):
            for section in sections:
                bucket = filed.get((prefix, section))
                if bucket:
                    found.extend(bucket)
        if len(found) > 1:  # a policy naming 32 and 3201 is filed twice
            found = list({id(e): e for e in found}.values())
        return found


def _concerns(parsed: rules.Rules, region: str, industry: str | None) -> bool:
    """Whether the region and industry conditions hold (as rules.compile_rules's)."""
    if parsed.region and not region.startswith(parsed.region):
        return False
    if industry is None:
        return not (parsed.industry or parsed.size or parsed.credit)
    return not parsed.industry or industry.startswith(parsed.industry)


def policy_match_all(*, now: dt.datetime | None = None) -> BatchResult:
    """Match every published, current policy against the 法人库 in one pass."""
    moment = now or clock.now()
    today = clock.local_date(moment)
    compiled = []
    for policy in current_policies(today):
        parsed = rules.parse(policy.rules)
        compiled.append(
            _Compiled(
                policy,
                parsed,
                rules.compile_rules(parsed, today),
                grant_reason(policy) if policy.automatic else "",
                _facts(parsed),
            )
        )
    if not compiled:
        return BatchResult(0, 0, 0, 0)
    index = _Index(compiled)
    seconds = dict.fromkeys(PHASES, 0.0)
    # Only these can have a match already (a policy never matched is new to
    # every business; a run at the same time is left to the unique constraint).
    before = set(
        Policy.objects.filter(pk__in=[c.policy.pk for c in compiled])
        .filter(Exists(PolicyMatch.objects.filter(policy=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    read = tested = matched = 0
    chunks = _chunks(BusinessRecord.objects.filter(status=BusinessStatus.IN_BUSINESS))
    while True:
        started = time.perf_counter()
        chunk = next(chunks, None)
        seconds["read"] += time.perf_counter() - started
        if chunk is None:
            break
        read += len(chunk)
        started = time.perf_counter()
        pairs, new_tested = _test_chunk(index, chunk)
        seconds["test"] += time.perf_counter() - started
        tested += new_tested
        matched += _write(pairs, before, today, moment, seconds)
    started = time.perf_counter()
    matched_emit([c.policy.pk for c in compiled if c.policy.automatic], moment)
    seconds["grants"] += time.perf_counter() - started
    return BatchResult(len(compiled), read, tested, matched, seconds)


def _chunks(records: QuerySet[BusinessRecord]) -> Iterator[list[Row]]:
    """The records' COLUMNS in key order, CHUNK at a time: one server-side
    cursor on PostgreSQL, elsewhere one keyset-paged read per chunk."""
    ordered = records.order_by("pk")
    if connection.vendor == "postgresql":
        rows = ordered.values_list(*COLUMNS).iterator(chunk_size=CHUNK)
        while chunk := list(islice(rows, CHUNK)):
            yield chunk
        return
    last = 0
    while chunk := list(ordered.filter(pk__gt=last).values_list(*COLUMNS)[:CHUNK]):
        last = chunk[-1][0]
        yield chunk


def _test_chunk(index: _Index, chunk: list[Row]) -> tuple[list[tuple[_Compiled, Row]], int]:
    tested = 0
    pairs = []
    for row in chunk:
        _, _, _, region, established, industry, size, credit = row
        for entry in index.for_business(region, industry):
            tested += 1
            if entry.test(region, established, industry, size, credit):
                pairs.append((entry, row))
    return pairs, tested


def _words(entry: _Compiled, row: Row, today: dt.date) -> tuple[list[str], str] | None:
    """Why ``row`` matched ``entry`` (rules.explain), made once per policy and facts."""
    facts = entry.facts(row)
    try:
        return entry.words[facts]
    except KeyError:
        pass
    _, _, _, region, established, industry, size, credit = row
    record = SimpleNamespace(
        status=BusinessStatus.IN_BUSINESS,
        region_code=region,
        established_on=established,
        classification=SimpleNamespace(industry_code=industry, size_class=size, credit_class=credit)
        if industry is not None
        else None,
    )
    reasons = rules.explain(entry.parsed, record, today)
    made = None if reasons is None else (reasons, json.dumps(reasons, ensure_ascii=False))
    entry.words[facts] = made
    return made


def _write(
    pairs: list[tuple[_Compiled, Row]],
    before: set[int],
    today: dt.date,
    moment: dt.datetime,
    seconds: dict[str, float],
) -> int:
    if not pairs:
        return 0
    with transaction.atomic():
        started = time.perf_counter()
        # Off PostgreSQL the rows are written by bulk_create, which skips a
        # conflict silently and cannot say which rows it wrote: every pair is
        # looked up, and the writing transaction (SQLite's IMMEDIATE mode)
        # keeps a run at the same time from writing between look-up and insert.
        again = (
            pairs
            if connection.vendor != "postgresql"
            else [(entry, row) for entry, row in pairs if entry.policy.pk in before]
        )
        seen = (
            set(
                PolicyMatch.objects.filter(
                    credit_code__in={row[1] for _, row in again},
                    policy_id__in={entry.policy.pk for entry, _ in again},
                ).values_list("policy_id", "credit_code")
            )
            if again
            else set()
        )
        seconds["seen"] += time.perf_counter() - started
        started = time.perf_counter()
        new: list[tuple[_Compiled, Row, tuple[list[str], str]]] = []
        for entry, row in pairs:
            if (entry.policy.pk, row[1]) in seen:
                continue
            words = _words(entry, row, today)
            if words is not None:  # the words are the final word
                new.append((entry, row, words))
        seconds["explain"] += time.perf_counter() - started
        started = time.perf_counter()
        written = _insert(new, moment)
        seconds["write"] += time.perf_counter() - started
        started = time.perf_counter()
        _tell(written, moment)
        seconds["grants"] += time.perf_counter() - started
        started = time.perf_counter()
    seconds["write"] += time.perf_counter() - started  # the commit
    return len(written)


def _insert(
    new: list[tuple[_Compiled, Row, tuple[list[str], str]]], moment: dt.datetime
) -> list[tuple[_Compiled, str]]:
    """Write ``new``; the (policy, credit code) of the rows actually written."""
    if not new:
        return []
    if connection.vendor != "postgresql":
        PolicyMatch.objects.bulk_create(
            [
                PolicyMatch(
                    policy=entry.policy,
                    credit_code=row[1],
                    business_name=row[2][:200],
                    reasons=words[0],
                    matched_at=moment,
                    granted_at=moment if entry.reason else None,
                    grant_reason=entry.reason,
                )
                for entry, row, words in new
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        return [(entry, row[1]) for entry, row, _ in new]
    by_pk = {entry.policy.pk: entry for entry, _, _ in new}
    with connection.cursor() as cursor:
        cursor.execute(NEW_TABLE_SQL)
        with cursor.cursor.copy(COPY_SQL) as copy:
            for entry, row, words in new:
                copy.write_row(
                    (
                        entry.policy.pk,
                        row[1],
                        row[2][:200],
                        words[1],
                        moment,
                        moment if entry.reason else None,
                        entry.reason,
                    )
                )
        cursor.execute(INSERT_SQL)
        return [(by_pk[pk], code) for pk, code in cursor.fetchall()]


def _tell(written: list[tuple[_Compiled, str]], moment: dt.datetime) -> None:
    """The SMS to the businesses of ``written`` that opted in, and the
    免申即享 grants to those with an account for ``cases``: one read of which
    businesses are known for the whole chunk."""
    if not written:
        return
    known = dict(
        LegalEntity.objects.filter(credit_code__in={code for _, code in written}).values_list(
            "credit_code", "policy_opt_in__sms"
        )
    )
    if not known:
        return
    if any(known.values()):
        entities = {
            e.credit_code: e
            for e in LegalEntity.objects.filter(
                credit_code__in=[code for code, sms in known.items() if sms]
            ).select_related("legal_representative")
        }
        for entry, code in written:
            entity = entities.get(code)
            if entity is not None:
                policy_sms_send(entry.policy, entity, moment)
    granted: dict[int, tuple[Policy, list[str]]] = {}
    for entry, code in written:
        if entry.reason and code in known:
            granted.setdefault(entry.policy.pk, (entry.policy, []))[1].append(code)
    for policy, codes in granted.values():
        grants_emit(policy, codes, moment, with_account=codes)
