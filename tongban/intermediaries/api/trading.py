"""公共资源交易 API at /api/v1/trading/.

Public: tenders, their documents, clarifications, the opening record (who bid and
the SM3 receipt of each sealed bid before the opening; prices after it), the
expert draw's page, the ranked candidates. Bidders (a business account): bid
(sealed at once, or sealed by their own tool) and decrypt at the opening.
The trading centre's staff (scoped to their region): announce, publish
documents, run the opening, enter the experts' scoring sheets, answer
objections, conclude.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from tongban.core import errors as core_errors
from tongban.core import idempotency
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.core.errors import DomainError
from tongban.identity.auth import api_auth
from tongban.intermediaries import selectors
from tongban.intermediaries.api.schemas import (
    BidIn,
    BidReceiptOut,
    DecryptIn,
    DocumentIn,
    EvaluationSummaryIn,
    ObjectionDecideIn,
    ObjectionIn,
    ObjectionOut,
    SealedBidIn,
    SheetIn,
    TenderDocumentOut,
    TenderIn,
    TenderOut,
    TenderPageOut,
    objection_out,
)
from tongban.intermediaries.models import (
    BidStatus,
    Tender,
    TenderCategory,
    TenderStatus,
)
from tongban.intermediaries.services import evaluation, scoring, trading
from tongban.org.models import Region
from tongban.org.selectors import staff_scope_for

router = Router(tags=["公共资源交易"])


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]  # set by ninja's auth


def opened_to_public(t: Tender) -> bool:
    """The committee's report is public from the publicity on."""
    return t.summary_at is not None


def tender_out(t: Tender) -> dict[str, Any]:
    ranked = opened_to_public(t)  # the ranking is public with the committee's report
    return {
        "code": t.code,
        "category": t.category,
        "category_label": TenderCategory(t.category).label,
        "title": t.title,
        "tenderer_name": t.tenderer_name,
        "region_code": t.region_id,
        "budget_fen": t.budget_fen,
        "announcement": t.announcement,
        "published_at": t.published_at,
        "bid_deadline": t.bid_deadline,
        "opening_time": t.opening_time,
        "status": t.status,
        "status_label": TenderStatus(t.status).label,
        "key_scheme": t.key_scheme,
        "opening_public_key": t.opening_public_key,
        "expert_draw_public_id": t.expert_draw_public_id,
        "expert_draw_url": f"/draws/{t.expert_draw_public_id}/" if t.expert_draw_public_id else "",
        "publicity_ends_at": t.publicity_ends_at,
        "result_note": t.result_note,
        "scoring_criteria": t.scoring_criteria or [],
        "evaluation_summary": t.evaluation_summary if opened_to_public(t) else "",
        "documents": list(t.documents.all()),
        "bids": [
            {
                "bidder_code": b.bidder_code,
                "bidder_name": b.bidder_name,
                "receipt": b.envelope_sm3,
                "submitted_at": b.submitted_at,
                "status": b.status,
                "price_fen": b.price_fen if b.status == BidStatus.OPENED else None,
                "invalid_reason": b.invalid_reason,
                "average_score": float(b.average_score) if ranked and b.average_score else None,
                "rank": b.rank if ranked else None,
            }
            for b in selectors.public_bids(t)
        ]
        if t.status != TenderStatus.BIDDING
        else [],
    }


class TendersQuery(Schema):
    category: str = ""
    cursor: str | None = None
    limit: int = 20


def _scoped(request: HttpRequest, code: str) -> Tender:
    return selectors.tender_get_in_scope(scope=staff_scope_for(user=_user(request)), code=code)


def _fresh(code: str) -> dict[str, Any]:
    return tender_out(selectors.tender_get_public(code))


@router.get("/tenders", response={200: TenderPageOut, **PROBLEM_RESPONSES}, summary="交易公告")
def tenders(request: HttpRequest, query: Query[TendersQuery]) -> dict[str, Any]:
    page = selectors.tenders_public(category=query.category, cursor=query.cursor, limit=query.limit)
    items = [
        {
            "code": t.code,
            "category": t.category,
            "category_label": TenderCategory(t.category).label,
            "title": t.title,
            "status": t.status,
            "status_label": TenderStatus(t.status).label,
            "published_at": t.published_at,
            "bid_deadline": t.bid_deadline,
            "result_note": t.result_note,
        }
        for t in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get("/tenders/{code}", response={200: TenderOut, **PROBLEM_RESPONSES}, summary="交易项目")
def tender(request: HttpRequest, code: str) -> dict[str, Any]:
    return _fresh(code)


@router.post(
    "/tenders",
    auth=api_auth,
    response={201: TenderOut, **PROBLEM_RESPONSES},
    summary="发布交易公告",
)
def publish(request: HttpRequest, body: TenderIn) -> Status[Any]:
    user = _user(request)
    scope = staff_scope_for(user=user).for_roles(*selectors.CENTRE_ROLES)
    region = Region.objects.filter(code=body.region_code).first()
    if region is None or not any(region.path.startswith(p) for p in scope.region_paths):
        raise DomainError(core_errors.PERMISSION_DENIED, "只能由本地区交易中心发布交易公告。")
    t = trading.tender_publish(**body.dict(), actor=user)
    return Status(201, _fresh(t.code))


@router.post(
    "/tenders/{code}/documents",
    auth=api_auth,
    response={201: TenderDocumentOut, **PROBLEM_RESPONSES},
    summary="发布招标文件或澄清",
)
def document(request: HttpRequest, code: str, body: DocumentIn) -> Status[Any]:
    doc = trading.tender_document_add(
        tender=_scoped(request, code),
        kind=body.kind,
        title=body.title,
        content=body.content,
        actor=_user(request),
    )
    return Status(201, doc)


@router.post(
    "/tenders/{code}/bids",
    auth=api_auth,
    response={201: BidReceiptOut, **PROBLEM_RESPONSES},
    summary="递交投标文件（即时加密密封）",
)
def bid(request: HttpRequest, code: str, body: BidIn) -> Status[Any]:
    user = _user(request)
    # The answer carries the decryption code, which must be stored nowhere
    # (docs/marketplace.md §4): a retry with the same Idempotency-Key is told the
    # bid was received (409 idempotency_answer_withheld) instead of a replay.
    idempotency.withhold(request)
    entity = selectors.entity_for_user(user=user, credit_code=body.bidder_code)
    made, decryption_code = trading.bid_submit(
        tender=selectors.tender_get_public(code),
        bidder=entity,
        price_fen=body.price_fen,
        proposal=body.proposal,
        actor=user,
    )
    return Status(
        201,
        {
            "tender": code,
            "bidder_code": made.bidder_code,
            "receipt": made.envelope_sm3,
            "submitted_at": made.submitted_at,
            "decryption_code": decryption_code,
        },
    )


@router.post(
    "/tenders/{code}/sealed-bids",
    auth=api_auth,
    response={201: BidReceiptOut, **PROBLEM_RESPONSES},
    summary="递交投标人自行密封的投标文件",
)
def sealed_bid(request: HttpRequest, code: str, body: SealedBidIn) -> Status[Any]:
    user = _user(request)
    entity = selectors.entity_for_user(user=user, credit_code=body.bidder_code)
    made = trading.bid_submit_sealed(
        tender=selectors.tender_get_public(code),
        bidder=entity,
        envelope=body.envelope,
        code_hash=body.code_hash,
        actor=user,
    )
    return Status(
        201,
        {
            "tender": code,
            "bidder_code": made.bidder_code,
            "receipt": made.envelope_sm3,
            "submitted_at": made.submitted_at,
            "decryption_code": "",
        },
    )


@router.post(
    "/tenders/{code}/opening",
    auth=api_auth,
    response={200: TenderOut, **PROBLEM_RESPONSES},
    summary="开标（投标截止时间已到）",
)
def opening(request: HttpRequest, code: str) -> dict[str, Any]:
    trading.tender_opening_start(tender=_scoped(request, code), actor=_user(request))
    return _fresh(code)


@router.post(
    "/tenders/{code}/decrypt",
    auth=api_auth,
    response={200: TenderOut, **PROBLEM_RESPONSES},
    summary="投标人解密",
)
def decrypt(request: HttpRequest, code: str, body: DecryptIn) -> dict[str, Any]:
    user = _user(request)
    mine = selectors.bid_get_for_bidder(user=user, tender_code=code, bidder_code=body.bidder_code)
    trading.bid_decrypt(bid=mine, decryption_code=body.decryption_code, actor=user)
    return _fresh(code)


@router.post(
    "/tenders/{code}/opening/close",
    auth=api_auth,
    response={200: TenderOut, **PROBLEM_RESPONSES},
    summary="结束解密、抽取评标专家",
)
def opening_close(request: HttpRequest, code: str) -> dict[str, Any]:
    evaluation.tender_opening_close(tender=_scoped(request, code), actor=_user(request))
    return _fresh(code)


@router.post(
    "/tenders/{code}/scores",
    auth=api_auth,
    response={200: TenderOut, **PROBLEM_RESPONSES},
    summary="录入专家纸质评分表（总分；专家声明无利害关系）",
)
def scores(request: HttpRequest, code: str, body: SheetIn) -> dict[str, Any]:
    t = _scoped(request, code)
    ids = dict(t.bids.filter(status=BidStatus.OPENED).values_list("bidder_code", "pk"))
    sheet = {}
    for line in body.scores:
        if line.bid_bidder_code not in ids:
            raise DomainError(
                core_errors.VALIDATION_FAILED, f"{line.bid_bidder_code} 不是有效投标。"
            )
        sheet[ids[line.bid_bidder_code]] = line.score
    seat = t.experts.filter(expert__code=body.expert_code, recused=False).first()
    if seat is not None and seat.declared_at is None:
        # The paper sheet carries the expert's signed declaration of no conflict.
        scoring.expert_declare(
            tender=t, expert_code=body.expert_code, conflict=False, actor=_user(request)
        )
    scoring.score_submit(tender=t, expert_code=body.expert_code, scores=sheet, actor=_user(request))
    return _fresh(code)


@router.post(
    "/tenders/{code}/summary",
    auth=api_auth,
    response={200: TenderOut, **PROBLEM_RESPONSES},
    summary="录入评标报告（组长汇总；提交后公示中标候选人）",
)
def summary(request: HttpRequest, code: str, body: EvaluationSummaryIn) -> dict[str, Any]:
    scoring.evaluation_summary_submit(
        tender=_scoped(request, code),
        expert_code=body.expert_code,
        summary=body.summary,
        actor=_user(request),
    )
    return _fresh(code)


@router.post(
    "/tenders/{code}/objections",
    auth=api_auth,
    response={201: ObjectionOut, **PROBLEM_RESPONSES},
    summary="对中标候选人提出异议",
)
def object_to(request: HttpRequest, code: str, body: ObjectionIn) -> Status[Any]:
    o = evaluation.tender_objection_file(
        tender=selectors.tender_get_public(code),
        filer_name=body.filer_name,
        reason=body.reason,
        actor=_user(request),
    )
    return Status(201, objection_out(o))


@router.post(
    "/tenders/{code}/objections/{objection_id}/decide",
    auth=api_auth,
    response={200: ObjectionOut, **PROBLEM_RESPONSES},
    summary="答复异议",
)
def decide(
    request: HttpRequest, code: str, objection_id: int, body: ObjectionDecideIn
) -> dict[str, Any]:
    t = _scoped(request, code)
    o = t.objections.filter(pk=objection_id).first()
    if o is None:
        raise DomainError(core_errors.NOT_FOUND, "异议不存在。")
    return objection_out(
        evaluation.tender_objection_decide(
            objection=o, upheld=body.upheld, answer=body.answer, actor=_user(request)
        )
    )


@router.post(
    "/tenders/{code}/conclude",
    auth=api_auth,
    response={200: TenderOut, **PROBLEM_RESPONSES},
    summary="定标",
)
def conclude(request: HttpRequest, code: str) -> dict[str, Any]:
    evaluation.tender_conclude(tender=_scoped(request, code), actor=_user(request))
    return _fresh(code)
