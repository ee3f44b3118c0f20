"""Public catalogue API (no login): search, suggestions and the published guide.

GET /api/v1/catalog/items            search and filter published items (cursor pages)
GET /api/v1/catalog/items/{code}     one item with its whole current guide
GET /api/v1/catalog/suggest          names for as-you-type completion
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import Field

from tongban.catalog import selectors
from tongban.catalog.content import Audience, GuideContent, LimitUnit, ServiceMode
from tongban.catalog.models import GuideVersion, ItemType, Level, ServiceItem
from tongban.core.api.reads import json_answer, none_match, not_modified
from tongban.core.api.schemas import PROBLEM_RESPONSES

router = Router()


class ItemDepartmentRef(Schema):
    id: int
    name: str


class RegionRef(Schema):
    code: str
    name: str


class PromisedLimit(Schema):
    value: int | None = Field(description="承诺办结时限")
    unit: LimitUnit = Field(description="working_days（工作日）或 natural_days（自然日）")


class ItemOut(Schema):
    implementation_code: str = Field(description="实施编码")
    name: str
    department: ItemDepartmentRef = Field(description="实施主体")
    region: RegionRef = Field(description="实施区划")
    level: Level = Field(description="行使层级：2 省 3 市 4 县 5 乡镇 6 村")
    item_type: ItemType = Field(description="事项类型")
    handling: str = Field(description="immediate（即办件）或 promised（承诺件）")
    online_depth: int | None = Field(description="网办深度 1–4")
    visits_required: int | None = Field(description="跑动次数")
    mobile: bool = Field(description="掌上可办")
    modes: list[ServiceMode] = Field(description="服务方式")
    audience: list[Audience] = Field(description="服务对象")
    themes: list[str] = Field(description="主题（人生事件、企业阶段）")
    promised_limit: PromisedLimit


class ItemPage(Schema):
    items: list[ItemOut]
    next_cursor: str | None = Field(description="下一页的游标；没有更多时为 null")


class ItemDetailOut(ItemOut):
    has_fee: bool
    licence_separation: str = Field(description="证照分离改革方式，空为不涉及")
    prior_approval: bool
    intermediary_service: bool
    version: int = Field(description="现行办事指南版本号")
    published_at: dt.datetime
    content: GuideContent = Field(description="办事指南全文")


class ItemsQuery(Schema):
    q: str = Field(default="", max_length=100, description="检索词；拼音首字母亦可，如 yyzz")
    region: str | None = Field(
        default=None,
        pattern=r"^[0-9]{6}([0-9]{6})?$",
        description="区划代码：本级、上级实施的事项以及下级实施的事项",
    )
    department: int | None = Field(default=None, ge=1, le=2**62, description="实施主体部门 id")
    audience: Audience | None = None
    theme: str | None = Field(default=None, min_length=1, max_length=40, description="主题")
    mode: ServiceMode | None = None
    type: ItemType | None = Field(default=None, description="事项类型代码")
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=20, ge=1, le=100)


class SuggestQuery(Schema):
    q: str = Field(default="", max_length=50)
    region: str | None = Field(default=None, pattern=r"^[0-9]{6}([0-9]{6})?$")


class SuggestOut(Schema):
    suggestions: list[str]


# What _item_out shows of an item, and what the search's ranking and pages read.
ITEM_COLUMNS = (
    "implementation_code",
    "name",
    "department",
    "department__name",
    "region",
    "region__name",
    "region__full_name",
    "region_path",
    "level",
    "item_type",
    "handling",
    "online_depth",
    "visits_required",
    "mobile",
    "modes",
    "audience",
    "themes",
    "promised_days",
    "promised_unit",
)


def _item_out(item: ServiceItem, unit: str) -> dict[str, object]:
    return {
        "implementation_code": item.implementation_code,
        "name": item.name,
        "department": {"id": item.department_id, "name": item.department.name},
        "region": {"code": item.region_id, "name": item.region.full_name or item.region.name},
        "level": item.level,
        "item_type": item.item_type,
        "handling": item.handling,
        "online_depth": item.online_depth,
        "visits_required": item.visits_required,
        "mobile": item.mobile,
        "modes": item.modes,
        "audience": item.audience,
        "themes": item.themes,
        "promised_limit": {"value": item.promised_days, "unit": unit},
    }


@router.get(
    "/items",
    response={200: ItemPage, **PROBLEM_RESPONSES},
    auth=None,
    summary="检索事项",
    description="只含在用且已发布的事项。每个检索词都须命中；按名称完全一致、名称包含、"
    "其他命中排序，同档内本级、上级、下级依次，再按名称。",
)
def items_search(request: HttpRequest, params: Query[ItemsQuery]) -> HttpResponse:
    page = selectors.service_items_search(
        q=params.q,
        region=params.region,
        department=params.department,
        audience=params.audience.value if params.audience else None,
        theme=params.theme,
        mode=params.mode.value if params.mode else None,
        item_type=params.type.value if params.type else None,
        cursor=params.cursor,
        limit=params.limit,
        columns=ITEM_COLUMNS,
    )
    units = selectors.promised_units(page.items)
    return json_answer(
        {
            "items": [
                _item_out(item, units.get(item.pk, LimitUnit.WORKING_DAYS)) for item in page.items
            ],
            "next_cursor": page.next_cursor,
        }
    )


@router.get(
    "/items/{implementation_code}",
    response={200: ItemDetailOut, 304: None, **PROBLEM_RESPONSES},
    auth=None,
    summary="事项办事指南",
    description="ETag 随办事指南版本及事项信息变化；带 If-None-Match 再次请求，"
    "未变化时返回 304（无正文）。",
)
def item_detail(request: HttpRequest, implementation_code: str) -> HttpResponse:
    item = selectors.service_item_get_public(implementation_code, guide=False)
    version = item.current_version
    assert version is not None  # service_item_get_public returns published items only
    guide = _published_guide(version)
    head = {
        **_item_out(item, guide["promised_limit"]["unit"]),
        "has_fee": item.has_fee,
        "licence_separation": item.licence_separation,
        "prior_approval": item.prior_approval,
        "intermediary_service": item.intermediary_service,
        "version": version.number,
        "published_at": version.published_at or item.published_at,
    }
    etag = _guide_etag(version.pk, version.revision, head)
    if none_match(request, etag):
        return not_modified(etag, cache_control=GUIDE_CACHE_CONTROL)
    response = json_answer({**head, "content": guide}, etag=etag)
    response["Cache-Control"] = GUIDE_CACHE_CONTROL
    return response


# Anyone may keep a guide, and asks again before using it (a 304 when unchanged).
# A caller with credentials still gets no-store (core.middleware.headers).
GUIDE_CACHE_CONTROL = "no-cache"
# Published guides as they are answered, by version: a published version is
# never edited, so each is read, validated and rendered once per process.
_GUIDES: dict[tuple[int, int, dt.datetime], dict[str, Any]] = {}
_GUIDES_KEPT = 512


def _published_guide(version: GuideVersion) -> dict[str, Any]:
    """The guide document of a published version (``content`` not read yet), as
    ``ItemDetailOut.content`` renders it (validated by ``GuideContent``, then JSON)."""
    key = (version.pk, version.revision, version.updated_at)
    guide = _GUIDES.get(key)
    if guide is None:
        content = GuideVersion.objects.values_list("content", flat=True).get(pk=version.pk)
        rendered = GuideContent.model_validate(content).model_dump()
        guide = json.loads(json.dumps(rendered, cls=NinjaJSONEncoder))
        if len(_GUIDES) >= _GUIDES_KEPT:
            _GUIDES.clear()
        _GUIDES[key] = guide
    return guide


def clear_guide_cache() -> None:
    _GUIDES.clear()


def _guide_etag(version_id: int, revision: int, head: dict[str, Any]) -> str:
    """A strong tag of the answer: the version (its guide never changes) and the
    item's own fields beside it (a department renamed, a facet changed)."""
    digest = hashlib.sha256(
        json.dumps(head, cls=NinjaJSONEncoder, sort_keys=True).encode("utf-8")
    ).hexdigest()[:16]
    return f'"{version_id}.{revision}.{digest}"'


@router.get(
    "/suggest",
    response={200: SuggestOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="检索联想",
)
def items_suggest(request: HttpRequest, params: Query[SuggestQuery]) -> dict[str, object]:
    return {"suggestions": selectors.service_item_suggestions(q=params.q, region=params.region)}
