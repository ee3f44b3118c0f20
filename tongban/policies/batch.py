"""Matching every current policy against the 法人库 in one pass (issue 14, item 4).

:func:`~tongban.policies.services.policy_match_run` matches one policy with one
SQL selection; run for each of 1,000 policies it reads the 1,000,000 records
1,000 times. :func:`policy_match_all` reads them once, in key order a chunk at
a time, and tests each business only against the policies that can concern it:
the policies are filed by the region prefixes and the 门类 they name (a
business of 门类 H in 320102 is tested against the policies of 32, 3201,
320102 or everywhere that name H or no industry). The
test of one policy is :func:`rules.compile_rules` (plain comparisons, no SQL);
a business that passes gets its reasons from :func:`rules.explain`, which is
also the final word. One match per policy and business (matching again adds
only new ones), 免申即享 granted on the match (and recorded as a case through
``policy.granted``), SMS to businesses that opted in: as ``policy_match_run``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import Q

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


@dataclass(frozen=True)
class BatchResult:
    policies: int
    businesses_read: int
    tested: int  # (policy, business) pairs tested after the index
    matched: int  # new matches written


@dataclass(frozen=True)
class _Compiled:
    policy: Policy
    parsed: rules.Rules
    test: rules.Test
    reason: str  # 免申即享's basis, or ""


def current_policies(today: dt.date) -> list[Policy]:
    return list(
        Policy.objects.filter(published=True, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("pk")
    )


class _Index:
    """The policies that can concern a business, by its region and its 门类.

    A policy is filed under each (region prefix, 门类) its rules name, "" for no
    region and "*" for no industry; a business looks under its three region
    prefixes and "", each with its 门类 and "*"."""

    def __init__(self, compiled: list[_Compiled]) -> None:
        self.filed: dict[tuple[str, str], list[_Compiled]] = defaultdict(list)
        for entry in compiled:
            regions = entry.parsed.region or ("",)
            sections = sorted({code[0] for code in entry.parsed.industry}) or ["*"]
            for region in regions:
                for section in sections:
                    self.filed[(region, section)].append(entry)

    def for_business(self, region: str, industry: str | None) -> list[_Compiled]:
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
            )
        )
    if not compiled:
        return BatchResult(0, 0, 0, 0)
    index = _Index(compiled)
    read = tested = matched = 0
    last = 0
    records = BusinessRecord.objects.filter(status=BusinessStatus.IN_BUSINESS).order_by("pk")
    while True:
        chunk = list(records.filter(pk__gt=last).values_list(*COLUMNS)[:CHUNK])
        if not chunk:
            break
        last = chunk[-1][0]
        read += len(chunk)
        pairs, new_tested = _test_chunk(index, chunk)
        tested += new_tested
        matched += _write(pairs, today, moment)
    matched_emit([c.policy.pk for c in compiled if c.policy.automatic], moment)
    return BatchResult(len(compiled), read, tested, matched)


def _test_chunk(index: _Index, chunk: list[tuple[Any, ...]]) -> tuple[list[Any], int]:
    tested = 0
    pairs = []
    for row in chunk:
        _, code, name, region, established, industry, size, credit = row
        for entry in index.for_business(region, industry):
            tested += 1
            if entry.test(region, established, industry, size, credit):
                pairs.append((entry, code, name, region, established, industry, size, credit))
    return pairs, tested


def _write(pairs: list[Any], today: dt.date, moment: dt.datetime) -> int:
    if not pairs:
        return 0
    codes = {p[1] for p in pairs}
    policy_ids = {p[0].policy.pk for p in pairs}
    with transaction.atomic():
        seen = set(
            PolicyMatch.objects.filter(credit_code__in=codes, policy_id__in=policy_ids).values_list(
                "policy_id", "credit_code"
            )
        )
        new: list[PolicyMatch] = []
        for entry, code, name, region, established, industry, size, credit in pairs:
            if (entry.policy.pk, code) in seen:
                continue
            record = SimpleNamespace(
                status=BusinessStatus.IN_BUSINESS,
                region_code=region,
                established_on=established,
                classification=SimpleNamespace(
                    industry_code=industry, size_class=size, credit_class=credit
                )
                if industry is not None
                else None,
            )
            reasons = rules.explain(entry.parsed, record, today)
            if reasons is None:  # the words are the final word
                continue
            new.append(
                PolicyMatch(
                    policy=entry.policy,
                    credit_code=code,
                    business_name=name[:200],
                    reasons=reasons,
                    matched_at=moment,
                    granted_at=moment if entry.reason else None,
                    grant_reason=entry.reason,
                )
            )
        PolicyMatch.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        _push_sms(new, moment)
        granted: dict[int, tuple[Policy, list[str]]] = {}
        for match in new:
            if match.granted_at is not None:
                granted.setdefault(match.policy.pk, (match.policy, []))[1].append(match.credit_code)
        for policy, granted_codes in granted.values():
            grants_emit(policy, granted_codes, moment)
    return len(new)


def _push_sms(new: list[PolicyMatch], moment: dt.datetime) -> None:
    """Tell the businesses among ``new`` that opted in (one read for the chunk)."""
    if not new:
        return
    entities = {
        e.credit_code: e
        for e in LegalEntity.objects.filter(
            credit_code__in={m.credit_code for m in new}, policy_opt_in__sms=True
        ).select_related("legal_representative")
    }
    for match in new:
        entity = entities.get(match.credit_code)
        if entity is not None:
            policy_sms_send(match.policy, entity, moment)
