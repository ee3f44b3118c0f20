"""Public resource trading (R-PR-1): announce, clarify, sealed bids, opening with each
bidder's decryption, expert draw with 回避, scoring, publicity, objections, conclusion.

Why nobody can read a bid before the opening (docs/marketplace.md §4): the bid is
sealed at once (:mod:`tongban.intermediaries.sealing`) and only the envelope is
stored; half of its content key is wrapped to the tender's opening key, whose
private half is kept sealed by the platform's key ring (not in the database in
clear), and the other half is the bidder's decryption code, which the platform
never stores (only its SM3 hash). :func:`bid_decrypt` is the only place the
two meet, and it refuses before the opening time (``Tender.opening_time``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from tongban.core import clock, crypto, draws
from tongban.core.audit import actor_label, audit_record
from tongban.core.errors import DomainError
from tongban.core.identifiers import validate_credit_code
from tongban.identity.models import LegalEntity
from tongban.intermediaries import criteria, errors, sealing
from tongban.intermediaries.credit import restrictions_for
from tongban.intermediaries.models import (
    BidStatus,
    Tender,
    TenderBid,
    TenderCategory,
    TenderDocument,
    TenderStatus,
)
from tongban.intermediaries.services._common import logger
from tongban.org.models import Region

KEY_CONTEXT = "intermediaries.tender.opening_key"
EXPERT_DRAW_PURPOSE = "trading.experts"
MAX_OPENING_DELAY = 30  # days between the bid deadline and a separately set opening time


def _audit(tender: Tender, action: str, actor: Any, now: dt.datetime, **details: Any) -> None:
    audit_record(
        actor=actor_label(actor),
        action=f"trading.{action}",
        object_type="trading.tender",
        object_id=tender.code,
        details=details,
        now=now,
    )


def _invalid(detail: str, field: str) -> DomainError:
    return DomainError(errors.TENDER_INVALID, detail, fields=[{"field": field, "code": "invalid"}])


def refused(error: Any, detail: str, tender: Tender, actor: Any = None) -> DomainError:
    """A refusal, logged (code, tender, actor) before it is raised; nothing is written."""
    logger.warning(
        "trading refusal %s tender=%s actor=%s", error.code, tender.code, actor_label(actor)
    )
    return DomainError(error, detail)


def _lock(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().get(pk=tender.pk)


def _state(tender: Tender, *allowed: str) -> None:
    if tender.status not in allowed:
        raise DomainError(
            errors.TENDER_INVALID_STATE,
            f"交易项目{tender.code}当前为“{tender.get_status_display()}”，不能进行该操作。",
        )


def _aad(tender: Tender, bidder_code: str) -> bytes:
    return f"{tender.code}|{bidder_code}".encode("ascii")


def tender_publish(
    *,
    category: str,
    title: str,
    tenderer_name: str,
    tenderer_code: str,
    region_code: str,
    budget_fen: int,
    announcement: str,
    bid_deadline: dt.datetime,
    expert_specialty: str,
    expert_count: int = 5,
    min_bids: int = 3,
    scoring_criteria: list[dict[str, Any]] | None = None,
    opens_at: dt.datetime | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Tender:
    """Announce a tender: a fresh opening key pair is made for it (the private half sealed
    at once) and the expert draw's commitment is published before any bid arrives. The
    scoring method (评分办法) is published with it: the category's default unless given."""
    now = now or clock.now()
    if category not in TenderCategory.values:
        raise _invalid("交易类别须为工程建设、土地和矿业权、国有产权或政府采购。", "category")
    name = " ".join((title or "").split())
    if not name or len(name) > 200:
        raise _invalid("项目名称不能为空，且不超过 200 字。", "title")
    if not " ".join((tenderer_name or "").split()):
        raise _invalid("请填写招标人。", "tenderer_name")
    try:
        tenderer_code = validate_credit_code(tenderer_code)
    except DomainError as exc:
        raise _invalid(f"招标人的{exc.detail}", "tenderer_code") from None
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise _invalid(f"区划代码 {region_code} 不存在。", "region_code")
    if not 0 < budget_fen <= 10**14:
        raise _invalid("控制价须为正数（单位：分）。", "budget_fen")
    # 招标投标法 第二十四条: at least 20 days from the documents to the bid deadline for
    # construction; the platform asks at least 1 day for every category and leaves the
    # statutory minimum of each category to the tenderer's compliance check.
    if bid_deadline < now + dt.timedelta(days=1):
        raise _invalid("投标截止时间须在发布后至少 1 天。", "bid_deadline")
    if opens_at is not None and opens_at < bid_deadline:
        raise _invalid("开标时间不能早于投标截止时间。", "opens_at")
    if opens_at is not None and opens_at > bid_deadline + dt.timedelta(days=MAX_OPENING_DELAY):
        raise _invalid(f"开标时间须在投标截止后 {MAX_OPENING_DELAY} 日内。", "opens_at")
    if not 3 <= expert_count <= 21 or expert_count % 2 == 0:
        raise _invalid("评标专家人数须为 3 人以上的单数。", "expert_count")
    if not 1 <= min_bids <= 10:
        raise _invalid("有效投标最少数量须为 1–10。", "min_bids")
    text = (announcement or "").strip()
    if not text:
        raise _invalid("公告内容不能为空。", "announcement")
    specialty = " ".join((expert_specialty or "").split())
    if not specialty:
        raise _invalid("须写明评标专业。", "expert_specialty")
    method = criteria.criteria_for(category) if scoring_criteria is None else scoring_criteria
    problem = criteria.criteria_problem(method)
    if problem:
        raise _invalid(problem, "scoring_criteria")
    scheme = settings.TONGBAN_BID_KEY_SCHEME
    key = sealing.opening_key_new(scheme)
    code = f"JY{clock.local_date(now):%Y%m%d}{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        tender = Tender.objects.create(
            code=code,
            category=category,
            title=name,
            tenderer_name=" ".join((tenderer_name or "").split())[:200],
            tenderer_code=tenderer_code,
            region=region,
            region_path=region.path,
            budget_fen=budget_fen,
            announcement=text,
            published_at=now,
            bid_deadline=bid_deadline,
            opens_at=opens_at if opens_at is not None and opens_at > bid_deadline else None,
            min_bids=min_bids,
            expert_count=expert_count,
            expert_specialty=specialty,
            scoring_criteria=method,
            key_scheme=scheme,
            opening_public_key=key.public,
            opening_private_sealed=crypto.encrypt(key.private, context=f"{KEY_CONTEXT}:{code}"),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        record = draws.draw_open(
            purpose=EXPERT_DRAW_PURPOSE, subject=code, actor=actor, title=f"“{name}”评标专家抽取"
        )
        tender.expert_draw_public_id = record.public_id
        tender.save(update_fields=["expert_draw_public_id"])
        _audit(tender, "tender_publish", actor, now, category=category, scheme=scheme)
    return tender


def tender_document_add(
    *,
    tender: Tender,
    kind: str,
    title: str,
    content: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderDocument:
    """Publish a tender document or a clarification (before the deadline only); a
    clarification (答疑澄清) is pushed to every bidder that has sent a bid."""
    now = now or clock.now()
    if kind not in ("document", "clarification"):
        raise _invalid("类型须为招标文件或澄清。", "kind")
    if not (title or "").strip() or not (content or "").strip():
        raise _invalid("标题和内容不能为空。", "content")
    with transaction.atomic():
        locked = _lock(tender)
        _state(locked, TenderStatus.BIDDING)
        if now >= locked.bid_deadline:
            raise refused(
                errors.BID_DEADLINE_PASSED, "投标截止后不能再发布招标文件或澄清。", locked, actor
            )
        document = TenderDocument.objects.create(
            tender=locked,
            kind=kind,
            title=title.strip()[:200],
            content=content.strip(),
            sm3=sealing.sm3(content.strip().encode("utf-8")),
            published_at=now,
        )
        _audit(locked, "tender_document_add", actor, now, kind=kind, sm3=document.sm3)
        if kind == "clarification":
            from tongban.intermediaries.services.tender_documents import clarification_push

            clarification_push(locked, document, now)  # sent after the commit
    return document


def _check_bidder(tender: Tender, entity: LegalEntity, now: dt.datetime, actor: Any) -> None:
    if now >= tender.bid_deadline or tender.status != TenderStatus.BIDDING:
        logger.warning("trading refusal bid_deadline_passed tender=%s", tender.code)
        raise DomainError(
            errors.BID_DEADLINE_PASSED,
            f"投标截止时间（{tender.bid_deadline.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}）已过，"
            "不再接收投标文件。",
        )
    reasons = restrictions_for(credit_code=entity.credit_code, measure="bidding", now=now)
    if reasons:
        logger.warning(
            "trading refusal agency_restricted tender=%s actor=%s", tender.code, actor_label(actor)
        )
        raise DomainError(
            errors.AGENCY_RESTRICTED,
            f"{entity.name}失信受限（一地受罚、处处受制），不能投标：{'；'.join(reasons)}",
        )


def _store_bid(
    tender: Tender,
    entity: LegalEntity,
    sealed_envelope: str,
    code_hash: str,
    actor: Any,
    now: dt.datetime,
) -> TenderBid:
    try:
        with transaction.atomic():
            locked = _lock(tender)
            _check_bidder(locked, entity, now, actor)
            bid = TenderBid.objects.create(
                tender=locked,
                bidder_entity=entity,
                bidder_code=entity.credit_code,
                bidder_name=entity.name,
                envelope=sealed_envelope,
                envelope_sm3=sealing.sm3(sealed_envelope.encode("ascii")),
                code_hash=code_hash,
                submitted_at=now,
            )
            _audit(
                locked,
                "bid_submit",
                actor,
                now,
                bidder=entity.credit_code,
                receipt=bid.envelope_sm3,
            )
    except IntegrityError:
        raise DomainError(errors.BID_DUPLICATE, f"{entity.name}已递交投标文件。") from None
    return bid


def bid_submit(
    *,
    tender: Tender,
    bidder: LegalEntity,
    price_fen: int,
    proposal: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> tuple[TenderBid, str]:
    """Seal a bid at once and store only the envelope; answer the bid and the bidder's
    decryption code (shown once: the platform keeps only its hash)."""
    now = now or clock.now()
    _check_bidder(tender, bidder, now, actor)
    if not 0 < price_fen <= 10**14:
        raise _invalid("投标报价须为正数（单位：分）。", "price_fen")
    if len(proposal or "") > 100_000:
        raise _invalid("技术方案不能超过 10 万字。", "proposal")
    plaintext = json.dumps({"price_fen": price_fen, "proposal": proposal or ""}, ensure_ascii=False)
    sealed = sealing.seal(
        plaintext.encode("utf-8"),
        scheme=tender.key_scheme,
        public=tender.opening_public_key,
        aad=_aad(tender, bidder.credit_code),
    )
    bid = _store_bid(tender, bidder, sealed.envelope, sealed.code_hash, actor, now)
    return bid, sealed.decryption_code


def bid_submit_sealed(
    *,
    tender: Tender,
    bidder: LegalEntity,
    envelope: str,
    code_hash: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderBid:
    """Store an envelope sealed by the bidder's own tool (the plaintext never reaches us)."""
    now = now or clock.now()
    _check_bidder(tender, bidder, now, actor)
    if not envelope.startswith("bid1.") or len(envelope) > 2_000_000:
        raise _invalid("投标文件不是有效的密封信封。", "envelope")
    if len(code_hash) != 64 or any(c not in "0123456789abcdef" for c in code_hash):
        raise _invalid("解密码摘要须为 64 位十六进制 SM3 值。", "code_hash")
    return _store_bid(tender, bidder, envelope, code_hash, actor, now)


def _opening_private(tender: Tender, now: dt.datetime) -> str:
    """The opening key's private half: released by the key ring only at the opening time."""
    if now < tender.opening_time:
        raise refused(errors.OPENING_NOT_YET, "未到开标时间，开标密钥不可用。", tender)
    return crypto.decrypt(tender.opening_private_sealed, context=f"{KEY_CONTEXT}:{tender.code}")


def tender_opening_start(
    *, tender: Tender, actor: Any = None, now: dt.datetime | None = None
) -> Tender:
    """Open the opening (开标) at the deadline: bidders may now give their codes."""
    now = now or clock.now()
    with transaction.atomic():
        locked = _lock(tender)
        _state(locked, TenderStatus.BIDDING)
        if now < locked.opening_time:
            raise refused(errors.OPENING_NOT_YET, "未到开标时间，不能开标。", locked, actor)
        locked.status = TenderStatus.OPENING
        locked.save(update_fields=["status"])
        _audit(locked, "tender_opening_start", actor, now, bids=locked.bids.count())
    return locked


def code_matches(code: str, code_hash: str) -> bool:
    """Whether the bidder's code is the one whose SM3 was stored at submission."""
    try:
        return sealing.sm3(bytes.fromhex(code)) == code_hash
    except ValueError:
        return False


def read_envelope(
    tender: Tender, private: str, bid: TenderBid, code: str
) -> tuple[int, str] | None:
    """The bid's price and proposal, or None when the envelope does not open (altered,
    malformed, not a bid): such a bid is recorded invalid, never refused."""
    try:
        plain = json.loads(
            sealing.unseal(
                bid.envelope,
                private=private,
                decryption_code=code,
                aad=_aad(tender, bid.bidder_code),
            )
        )
        return int(plain["price_fen"]), str(plain.get("proposal", ""))
    except (sealing.SealError, ValueError, KeyError, TypeError):
        return None


def apply_reading(bid: TenderBid, reading: tuple[int, str] | None, now: dt.datetime) -> None:
    """Set a sealed bid's outcome on the instance (the caller saves it)."""
    bid.confirmed_at = now
    if reading is None:
        bid.status = BidStatus.INVALID
        bid.invalid_reason = "投标文件无法解密"
    else:
        bid.status = BidStatus.OPENED
        bid.price_fen, bid.proposal = reading


OUTCOME_FIELDS = ["status", "price_fen", "proposal", "invalid_reason", "confirmed_at"]


def bid_decrypt(
    *,
    bid: TenderBid,
    decryption_code: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> TenderBid:
    """The bidder's decryption confirmation (投标人解密) during the opening."""
    now = now or clock.now()
    code = (decryption_code or "").strip().lower()
    with transaction.atomic():
        tender = _lock(bid.tender)
        if tender.status == TenderStatus.BIDDING and now < tender.opening_time:
            raise refused(errors.OPENING_NOT_YET, "未到开标时间，不能解密。", tender, actor)
        _state(tender, TenderStatus.OPENING)
        locked = TenderBid.objects.select_for_update().get(pk=bid.pk)
        if locked.status != BidStatus.SEALED:
            raise DomainError(errors.TENDER_INVALID_STATE, "该投标文件已解密。")
        if not code_matches(code, locked.code_hash):
            raise DomainError(errors.BID_DECRYPTION_FAILED, "解密码不正确，请核对后重新输入。")
        apply_reading(
            locked, read_envelope(tender, _opening_private(tender, now), locked, code), now
        )
        locked.save(update_fields=OUTCOME_FIELDS)
        action = "bid_decrypt" if locked.status == BidStatus.OPENED else "bid_invalid"
        _audit(tender, action, actor, now, bidder=locked.bidder_code)
    return locked
