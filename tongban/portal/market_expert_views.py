"""评标 for experts (issue 18): a drawn expert declares 回避, fills the scoring sheet per
criterion within each maximum, signs and submits it once; the lead expert writes the
committee's report. Reads scoped to the expert's own seats (``intermediaries.selectors``);
each POST is one ``intermediaries.services.scoring`` call; a refusal is shown and nothing
is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core.errors import DomainError
from tongban.intermediaries import selectors
from tongban.intermediaries.models import BidStatus, TenderExpert, TenderStatus
from tongban.intermediaries.services import scoring


@login_required
@require_GET
def evaluation_list(request: HttpRequest) -> HttpResponse:
    """评标任务: the committees the signed-in expert was drawn for."""
    return render(
        request,
        "portal/market/evaluations.html",
        {"seats": list(selectors.expert_seats_for_user(user=request.user)[:50])},
    )


def _sheet_from_post(request: HttpRequest, seat: TenderExpert, bids: list[Any]) -> dict[int, Any]:
    criteria = seat.tender.scoring_criteria or []
    sheet: dict[int, Any] = {}
    for bid in bids:
        line = {}
        for c in criteria:
            raw = request.POST.get(f"s-{bid.pk}-{c['key']}", "").strip()
            if not raw.isdigit():
                raise ValueError(f"请填写{bid.bidder_name}的“{c['name']}”得分（0–{c['max']}）。")
            line[c["key"]] = int(raw)
        sheet[bid.pk] = line
    return sheet


def _act(request: HttpRequest, seat: TenderExpert, bids: list[Any]) -> str:
    action = request.POST.get("action", "")
    tender, code, user = seat.tender, seat.expert.code, request.user
    if action == "declare":
        conflict = request.POST.get("conflict", "")
        if conflict not in ("no", "yes"):
            raise ValueError("请选择是否存在应当回避的情形。")
        scoring.expert_declare(
            tender=tender,
            expert_code=code,
            conflict=conflict == "yes",
            reason=request.POST.get("reason", ""),
            actor=user,
        )
        if conflict == "yes":
            return "已声明回避，系统已公开补充抽取一名专家。感谢您的配合。"
        return "已声明与投标人无利害关系，请评分。"
    if action == "score":
        if request.POST.get("sign") != "yes":
            raise ValueError("请确认评分客观公正并签名提交。")
        done = scoring.score_submit(
            tender=tender,
            expert_code=code,
            scores=_sheet_from_post(request, seat, bids),
            actor=user,
        )
        return f"评分表已签名提交（签名摘要 SM3 {done.sheet_sm3[:16]}…）。"
    if action == "summary":
        scoring.evaluation_summary_submit(
            tender=tender, expert_code=code, summary=request.POST.get("summary", ""), actor=user
        )
        return "评标报告已提交，中标候选人进入公示。"
    raise ValueError("无法识别的操作。")


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        seat = selectors.expert_seat_for_user(user=request.user, tender_code=code)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    tender = seat.tender
    bids = list(tender.bids.filter(status=BidStatus.OPENED).order_by("submitted_at", "id"))
    error = ""
    if request.method == "POST":
        try:
            messages.success(request, _act(request, seat, bids))
            return redirect("portal:market_evaluation", code=code)
        except DomainError as exc:
            error = exc.detail
        except ValueError as exc:
            error = str(exc)
        seat = selectors.expert_seat_for_user(user=request.user, tender_code=code)
    committee = list(tender.experts.select_related("expert").order_by("seat"))
    waiting = [s for s in committee if not s.recused and s.scored_at is None]
    my_scores = {s.bid_id: s for s in seat.scores.all()}
    posted = request.POST if request.method == "POST" else {}
    rows = []
    for bid in bids:
        saved = my_scores.get(bid.pk)
        fields = []
        for c in tender.scoring_criteria or []:
            name = f"s-{bid.pk}-{c['key']}"
            kept = saved.parts.get(c["key"], "") if saved else posted.get(name, "")
            fields.append({"name": name, "label": c["name"], "max": c["max"], "value": kept})
        rows.append({"bid": bid, "saved": saved, "fields": fields})
    return render(
        request,
        "portal/market/evaluation.html",
        {
            "seat": seat,
            "tender": tender,
            "criteria": tender.scoring_criteria or [],
            "bids": bids,
            "rows": rows,
            "committee": committee,
            "waiting": waiting,
            "evaluating": tender.status == TenderStatus.EVALUATING,
            "ranked": sorted((b for b in bids if b.rank), key=lambda b: b.rank or 0),
            "summary": posted.get("summary", ""),
            "reason": posted.get("reason", ""),
            "error": error,
        },
    )
