"""Public catalogue lists, downloads, flow charts and figures (no login).

GET /api/v1/catalog/lists                               the list definitions
GET /api/v1/catalog/lists/{slug}?region=                one page of rows
GET /api/v1/catalog/lists/{slug}/export?region=&format= the list as .xlsx or .pdf
GET /api/v1/catalog/items/{code}/flowchart.svg          an item's flow chart
GET /api/v1/catalog/stats?region=                       online-availability figures
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from tongban.catalog import exports, flowchart, lists, stats
from tongban.core.api.files import content_disposition
from tongban.core.api.pagination import MAX_LIMIT, paginate
from tongban.core.api.schemas import PROBLEM_RESPONSES
from tongban.org.selectors import region_get

router = Router()

RegionCode = Field(min_length=1, max_length=12, description="行政区划代码，如 320100")


class ColumnOut(Schema):
    key: str
    label: str


class ListDefinitionOut(Schema):
    slug: str
    title: str
    description: str
    kind: Literal["six", "mode"] = Field(description="six：六个清单；mode：服务方式清单")
    grouped: bool
    columns: list[ColumnOut]


class RegionOut(Schema):
    code: str
    name: str


class ListRowOut(Schema):
    implementation_code: str
    basic_code: str
    name: str
    item_type: str
    department: str
    region: str
    level: str
    legal_basis: str
    handling: str
    legal_limit: str
    promised_limit: str
    fees: str
    online_depth: str
    visits: str
    mobile: str
    modes: str
    result: str
    responsibility: str
    intermediary: str
    licence_separation: str
    group: str


class ListPageOut(Schema):
    definition: ListDefinitionOut
    region: RegionOut
    rows: list[ListRowOut]
    next_cursor: str | None


class ListQuery(Schema):
    region: str = RegionCode
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class ExportQuery(Schema):
    region: str = RegionCode
    format: Literal["xlsx", "pdf"] = "xlsx"


class RegionQuery(Schema):
    region: str = RegionCode


class TargetOut(Schema):
    measure: stats.Measure = Field(
        description="online：网上可办率；mobile：高频事项掌上可办率；mobile_items：本地掌上办理事项数"
    )
    value: int = Field(description="目标值：百分比；mobile_items 为事项个数")
    due: dt.date = Field(description="目标时限，如“2019年底前”为 2019-12-31")
    met: bool | None = Field(description="当前数据是否达到该目标；无事项可计时为 null")
    source: str = Field(description="依据：发文机关《文件名》，日期，条款")
    wording: str = Field(description="文件原文")


class TargetDocumentOut(Schema):
    issuer: str = Field(description="发文机关")
    title: str
    date: dt.date
    number: str = Field(description="文号；文件未载明时为空")


class ListFigureOut(Schema):
    label: str
    count: int
    total: int
    percent: float
    target_percent: int | None = Field(description="最新一期目标（百分比）")
    met: bool | None = Field(description="是否达到最新一期目标")
    targets: list[TargetOut] = Field(description="该指标的全部目标，按时限先后")


class LevelStatsOut(Schema):
    level: str
    label: str
    total: int
    figures: list[ListFigureOut]
    mobile_items_target: int | None
    mobile_items_met: bool | None
    mobile_items_targets: list[TargetOut] = Field(description="本级掌上办理事项数的全部目标")


class AreaStatsOut(Schema):
    code: str
    name: str
    levels: list[LevelStatsOut]
    total: LevelStatsOut


class StatsOut(Schema):
    region: RegionOut
    counted_item_types: list[str]
    target_source: str = Field(description="目标依据；该地区所在省份未设目标时为空")
    target_documents: list[TargetDocumentOut] = Field(description="设定目标的文件（本省）")
    levels: list[LevelStatsOut]
    total: LevelStatsOut
    areas: list[AreaStatsOut]


def _definition_out(d: lists.ListDefinition) -> ListDefinitionOut:
    return ListDefinitionOut(
        slug=d.slug,
        title=d.title,
        description=d.description,
        kind=d.kind,  # type: ignore[arg-type]  # "six" | "mode" by construction
        grouped=d.grouped,
        columns=[ColumnOut(key=c.key, label=c.label) for c in d.columns],
    )


@router.get(
    "/lists",
    response={200: list[ListDefinitionOut], **PROBLEM_RESPONSES},
    auth=None,
    summary="公开清单目录",
)
def catalog_lists(request: HttpRequest) -> list[ListDefinitionOut]:
    return [_definition_out(d) for d in lists.LISTS.values()]


@router.get(
    "/lists/{slug}",
    response={200: ListPageOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="某区划的一个清单（游标分页）",
)
def catalog_list_rows(request: HttpRequest, slug: str, params: Query[ListQuery]) -> ListPageOut:
    definition = lists.list_definition_get(slug)
    region = region_get(params.region)
    page = paginate(
        lists.list_items(slug, region),
        ordering=definition.ordering,
        cursor=params.cursor,
        limit=params.limit,
    )
    rows = lists.rows_of(page.items, definition)
    return ListPageOut(
        definition=_definition_out(definition),
        region=RegionOut(code=region.code, name=region.full_name or region.name),
        rows=[ListRowOut(**r.__dict__) for r in rows],
        next_cursor=page.next_cursor,
    )


_FILE_RESPONSES = {
    200: {
        "description": "清单文件",
        "content": {
            exports.CONTENT_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
            exports.CONTENT_TYPES["pdf"]: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/lists/{slug}/export",
    response={**PROBLEM_RESPONSES},
    auth=None,
    summary="下载清单（Excel 或 PDF）",
    openapi_extra={"responses": _FILE_RESPONSES},
)
def catalog_list_export(
    request: HttpRequest, slug: str, params: Query[ExportQuery]
) -> HttpResponse:
    file = exports.list_export(slug, params.region, params.format)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition(
        file.filename, f"{slug}-{params.region}.{params.format}"
    )
    return response


@router.get(
    "/items/{implementation_code}/flowchart.svg",
    response={**PROBLEM_RESPONSES},
    auth=None,
    summary="事项办理流程图（SVG）",
    openapi_extra={
        "responses": {
            200: {
                "description": "流程图",
                "content": {"image/svg+xml": {"schema": {"type": "string"}}},
            }
        }
    },
)
def catalog_item_flowchart(request: HttpRequest, implementation_code: str) -> HttpResponse:
    svg = flowchart.item_flowchart_svg(implementation_code)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # An SVG opened on its own must not run anything (it has no scripts anyway).
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _target_out(check: stats.TargetCheck) -> TargetOut:
    target = check.target
    return TargetOut(
        measure=target.measure,
        value=target.value,
        due=target.due,
        met=check.met,
        source=target.source,
        wording=target.wording,
    )


def _level_out(level: stats.LevelStats) -> LevelStatsOut:
    return LevelStatsOut(
        level=level.level,
        label=level.label,
        total=level.counts.total,
        figures=[
            ListFigureOut(
                label=f.label,
                count=f.count,
                total=f.total,
                percent=f.percent,
                target_percent=f.target_percent,
                met=f.met,
                targets=[_target_out(c) for c in f.checks],
            )
            for f in level.figures
        ],
        mobile_items_target=level.targets.mobile_items,
        mobile_items_met=level.mobile_items_met,
        mobile_items_targets=[_target_out(c) for c in level.mobile_items_checks],
    )


@router.get(
    "/stats",
    response={200: StatsOut, **PROBLEM_RESPONSES},
    auth=None,
    summary="网上可办率、掌上可办率等指标及目标",
)
def catalog_stats(request: HttpRequest, params: Query[RegionQuery]) -> StatsOut:
    result = stats.catalog_stats(params.region)
    return StatsOut(
        region=RegionOut(code=result.region_code, name=result.region_name),
        counted_item_types=list(result.counted_types),
        target_source=result.target_source,
        target_documents=[
            TargetDocumentOut(issuer=d.issuer, title=d.title, date=d.date, number=d.number)
            for d in result.target_documents
        ],
        levels=[_level_out(level) for level in result.levels],
        total=_level_out(result.total),
        areas=[
            AreaStatsOut(
                code=a.code,
                name=a.name,
                levels=[_level_out(level) for level in a.levels],
                total=_level_out(a.total),
            )
            for a in result.areas
        ],
    )
