"""公共资源交易 for bidders (issue 18): a business account downloads a tender's documents,
sends a sealed bid from the page, keeps its decryption code, confirms decryption at the
opening and follows its bid to the result.

The page seals on the server (``trading.bid_submit``, the same as ``POST .../bids``):
the plaintext is in the web process's memory only while it is sealed to the tender's
opening key, and only the envelope is stored (docs/marketplace.md §4, threat model).
The decryption code is shown once, in the answer to the POST itself: it is never put
in the session, a message, a redirect or a log, and the answer is marked no-store.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods

from tongban.core import clock
from tongban.core.api.files import content_disposition
from tongban.core.errors import DomainError
from tongban.identity.models import LegalEntity
from tongban.intermediaries import selectors
from tongban.intermediaries.models import BidStatus, Tender, TenderStatus
from tongban.intermediaries.services import trading
from tongban.portal.market_views import _yuan_to_fen, my_bids_on

_NOT_HEX = re.compile(r"[\s\-]+")


def _tender(code: str) -> Tender:
    try:
        return selectors.tender_get_public(code)
    except DomainError as exc:
        raise Http404(exc.detail) from None


def grouped(code: str) -> str:
    """a1b2c3d4… → "a1b2 c3d4 …": easier to copy by hand and to read aloud."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


@require_GET
def tender_document(request: HttpRequest, code: str, document_id: int) -> HttpResponse:
    """A tender document (the uploaded file, or the text) or a clarification, with its
    published SM3."""
    tender = _tender(code)
    document = tender.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404("文件不存在。")
    if document.file and document.file_name:  # an uploaded tender document, as uploaded
        with document.file.open("rb") as handle:
            content = handle.read()
        response = HttpResponse(content, content_type=document.file_type)
        suffix = document.file_name.rsplit(".", 1)[-1]
        response["Content-Disposition"] = content_disposition(
            document.file_name, f"{tender.code}-{document.pk}.{suffix}"
        )
        response["X-Content-SM3"] = document.sm3
        response["X-Content-Type-Options"] = "nosniff"
        return response
    response = HttpResponse(document.content, content_type="text/plain; charset=utf-8")
    name = f"{tender.code}-{document.get_kind_display()}-{document.pk}.txt"
    response["Content-Disposition"] = content_disposition(name, f"{tender.code}-{document.pk}.txt")
    response["X-Content-SM3"] = document.sm3
    return response


@login_required
@require_http_methods(["GET", "POST"])
def tender_bid(request: HttpRequest, code: str) -> HttpResponse:
    """递交投标文件: sealed at once; the decryption code shown once in the answer."""
    tender = _tender(code)
    entities: list[LegalEntity] = list(selectors.entities_for(request.user))
    mine = my_bids_on(request, tender)
    done = {b.bidder_code for b in mine}
    free = [e for e in entities if e.credit_code not in done]
    now = clock.now()
    error = ""
    values: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST[k] for k in ("bidder", "price", "proposal") if k in request.POST}
        entity = next((e for e in free if e.credit_code == values.get("bidder")), None)
        if entity is None and len(free) == 1 and not values.get("bidder"):
            entity = free[0]
        try:
            if entity is None and mine and not free:
                raise ValueError("已递交投标文件，不能重复递交。")
            if entity is None:
                raise ValueError("请选择以哪家企业的名义投标。")
            bid, decryption_code = trading.bid_submit(
                tender=tender,
                bidder=entity,
                price_fen=_yuan_to_fen(values.get("price", ""), "投标报价"),
                proposal=values.get("proposal", ""),
                actor=request.user,
            )
        except DomainError as exc:
            error = exc.detail
        except ValueError as exc:
            error = str(exc)
        else:
            response = render(
                request,
                "portal/market/bid_sealed.html",
                {"tender": tender, "bid": bid, "code": grouped(decryption_code)},
            )
            add_never_cache_headers(response)  # the code must not stay in any cache
            return response
    return render(
        request,
        "portal/market/bid.html",
        {
            "tender": tender,
            "entities": entities,
            "free": free,
            "mine": mine,
            "open": tender.status == TenderStatus.BIDDING and now < tender.bid_deadline,
            "documents": list(tender.documents.all()),
            "values": values,
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def tender_decrypt(request: HttpRequest, code: str) -> HttpResponse:
    """投标人解密: during the opening the bidder enters its code and its bid is opened."""
    tender = _tender(code)
    mine = my_bids_on(request, tender)
    if not mine:
        messages.error(request, "您代理的企业没有对该项目投标。")
        return redirect("portal:market_tender", code=code)
    error = ""
    if request.method == "POST":
        chosen = next((b for b in mine if b.bidder_code == request.POST.get("bidder")), None)
        if chosen is None and len(mine) == 1:
            chosen = mine[0]
        entered = _NOT_HEX.sub("", request.POST.get("code", ""))
        try:
            if chosen is None:
                raise ValueError("请选择要解密的投标文件。")
            if not entered:
                raise ValueError("请输入递交投标文件时获得的解密码。")
            bid = trading.bid_decrypt(bid=chosen, decryption_code=entered, actor=request.user)
        except DomainError as exc:
            error = exc.detail
        except ValueError as exc:
            error = str(exc)
        else:
            if bid.status == BidStatus.OPENED:
                messages.success(request, "解密成功，投标文件已开启，报价已载入开标记录。")
            else:
                messages.error(request, f"投标文件已被记录为无效：{bid.invalid_reason}。")
            return redirect("portal:market_tender", code=code)
        mine = my_bids_on(request, tender)
    return render(
        request,
        "portal/market/decrypt.html",
        {
            "tender": tender,
            "mine": mine,
            "sealed": [b for b in mine if b.status == BidStatus.SEALED],
            "opening": tender.status == TenderStatus.OPENING,
            "error": error,
        },
    )


@login_required
@require_GET
def my_bids(request: HttpRequest) -> HttpResponse:
    """我的投标: every bid of the entities the account acts for, with its state and result."""
    return render(
        request,
        "portal/market/my_bids.html",
        {"bids": list(selectors.bids_for_user(user=request.user)[:100])},
    )
