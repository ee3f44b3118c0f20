"""Categories, knowledge, routing suggestions, duplicates, statistics, tracking."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.core.ratelimit import rate_limit_hit
from tongban.hotline import routing, selectors, stats
from tongban.hotline.api.common import RESPONSES, page_out, user_of
from tongban.hotline.api.schemas import (
    HotlineArticleOut,
    HotlineCategoryOut,
    HotlineKnowledgeQuery,
    HotlineOrderPage,
    HotlineStatsOut,
    HotlineStatsQuery,
    HotlineSuggestIn,
    HotlineSuggestionOut,
    HotlineTrackIn,
    HotlineTrackOut,
)
from tongban.hotline.models import OrderStatus
from tongban.hotline.services.intake import region_for_order
from tongban.identity.auth import api_auth

router = Router(tags=["12345 热线"])
TRACK_LIMIT = 20
TRACK_WINDOW_SECONDS = 600


def _staff(request: HttpRequest) -> Any:
    user = user_of(request)
    if not selectors.is_hotline_staff(user):
        raise DomainError(core_errors.PERMISSION_DENIED, "只有热线和承办单位工作人员可以使用。")
    return user


@router.get(
    "/categories", response={200: list[HotlineCategoryOut], **RESPONSES}, summary="诉求分类树"
)
def category_list(request: HttpRequest) -> list[dict[str, Any]]:
    tree = selectors.category_tree()
    parents = {c.parent_id for c in tree if c.parent_id}
    codes = {c.pk: c.code for c in tree}
    return [
        {
            "code": c.code,
            "name": c.name,
            "parent": codes.get(c.parent_id) if c.parent_id else None,
            "leaf": c.pk not in parents,
            "handle_working_days": c.handle_working_days,
            "business_environment": c.business_environment,
        }
        for c in tree
    ]


@router.get(
    "/knowledge",
    response={200: list[HotlineArticleOut], **RESPONSES},
    summary="知识库检索",
    description="当日有效的条目，按命中的词数排序。",
)
def knowledge_search(request: HttpRequest, params: Query[HotlineKnowledgeQuery]) -> list[Any]:
    rows = selectors.knowledge_search(
        q=params.q, today=clock.today(), category_code=params.category
    )
    return [
        {
            "code": a.code,
            "title": a.title,
            "question": a.question,
            "answer": a.answer,
            "category": a.category.code if a.category else None,
            "source": a.source,
            "valid_from": a.valid_from,
            "valid_until": a.valid_until,
        }
        for a in rows
    ]


@router.post(
    "/suggest",
    response={200: HotlineSuggestionOut, **RESPONSES},
    auth=api_auth,
    summary="建议分类和承办单位",
    description="登记前由诉求内容和地点给出建议（分类前三名与承办单位），由话务员确认或修改。",
)
def suggest(request: HttpRequest, body: HotlineSuggestIn) -> dict[str, Any]:
    _staff(request)
    region = region_for_order(body.region_code)
    result = routing.suggest_for_text(body.content, region_path=region.path)
    return {
        "category": {"code": result.category.code, "name": result.category.name}
        if result.category
        else None,
        "department": {"id": result.department.pk, "name": result.department.name}
        if result.department
        else None,
        "candidates": [
            {"category": {"code": c.code, "name": c.name}, "probability": round(p, 4)}
            for c, p in result.candidates
        ],
    }


@router.get(
    "/orders/{order_no}/duplicates",
    response={200: HotlineOrderPage, **RESPONSES},
    auth=api_auth,
    summary="疑似重复工单",
    description="同一来电人，或同一地点同一分类、时间窗口内仍在办理的工单。",
)
def duplicates(request: HttpRequest, order_no: str) -> dict[str, Any]:
    user = _staff(request)
    order = selectors.order_get_for_staff(user=user, order_no=order_no)
    from tongban.core.api.pagination import Page

    return page_out(Page(selectors.duplicates_for(order), None))


@router.get(
    "/stats",
    response={200: HotlineStatsOut, **RESPONSES},
    auth=api_auth,
    summary="热线分析",
    description="热点（分类、区划、词频与上升话题）、重复投诉的地点和对象、各承办单位的"
    "按时派单率、按时办结率、解决率和满意度（R-HL-3、R-HL-5），"
    "以及派单建议的准确率。",
)
def hotline_stats(request: HttpRequest, params: Query[HotlineStatsQuery]) -> dict[str, Any]:
    result = stats.hotline_stats(
        user=user_of(request),
        date_from=params.date_from,
        date_to=params.date_to,
        region_code=params.region,
    )
    return dataclasses.asdict(result)


@router.post(
    "/track",
    response={200: HotlineTrackOut, **RESPONSES},
    summary="凭工单编号和电话查询",
    description="无需登录；按来源地址限制查询频率。电话不符与工单不存在同为 404。",
)
def track(request: HttpRequest, body: HotlineTrackIn) -> dict[str, Any]:
    address = request.META.get("REMOTE_ADDR") or "unknown"
    if rate_limit_hit(
        key=f"hotline-track:{address}", limit=TRACK_LIMIT, window_seconds=TRACK_WINDOW_SECONDS
    ):
        raise DomainError(core_errors.RATE_LIMITED, "查询过于频繁，请 10 分钟后再试。")
    order = selectors.order_track(order_no=body.order_no, phone=body.phone)
    answer, action = selectors.public_answer(order)
    return {
        "order_no": order.order_no,
        "status": order.status,
        "status_label": OrderStatus(order.status).label,
        "title": order.title,
        "registered_at": order.registered_at,
        "department": order.department.name if order.department else None,
        "reply_text": answer,
        "reply_action": action,
        "merged_into": order.merged_into.order_no if order.merged_into else None,
    }
