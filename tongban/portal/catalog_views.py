"""The public catalogue pages: 办事服务 (search and browse), the 办事指南, the
published lists (清单) and the catalogue figures.

Views are thin (CONVENTIONS 2): they read the query string, call one
catalogue selector (search, lists, stats, the public item) and render. The
guide page also walks the guide's situation questions (情形引导) for the
answers in the query string, so that the guided form works without
JavaScript as a plain GET form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from tongban.catalog import exports, lists, search, selectors, stats
from tongban.catalog.content import (
    SERVICE_MODE_LABELS,
    Audience,
    GuideContent,
    Handling,
    LimitUnit,
    MaterialRequirement,
    MaterialSource,
    Media,
    Question,
    Requirement,
    ServiceMode,
    Situation,
    SpecialProcedure,
    promised_limit_text,
)
from tongban.catalog.files import (
    KINDS,
    FileLink,
    file_key,
    guide_file_get_public,
    guide_file_links,
)
from tongban.catalog.flowchart import flowchart_svg
from tongban.catalog.models import ItemType, ServiceItem
from tongban.catalog.situations import situation_walk
from tongban.core.errors import DomainError
from tongban.org.models import Region
from tongban.org.selectors import region_get, regions_children
from tongban.portal.region import current_region
from tongban.portal.themes import BUSINESS_THEMES, LIFE_THEMES

PAGE_SIZE = 20
AUDIENCE_LABELS = {Audience.PERSON.value: "个人办事", Audience.LEGAL_ENTITY.value: "法人办事"}
DEPTH_LABELS = {1: "Ⅰ级 网上咨询", 2: "Ⅱ级 网上预审", 3: "Ⅲ级 网上受理", 4: "Ⅳ级 全程网办"}
MODE_LABELS = {mode.value: label for mode, label in SERVICE_MODE_LABELS.items()}
REQUIREMENT_LABELS = {
    Requirement.REQUIRED: "必要",
    Requirement.OPTIONAL: "非必要",
    Requirement.SITUATIONAL: "按情形提交",
}
MEDIA_LABELS = {Media.PAPER: "纸质", Media.ELECTRONIC: "电子", Media.EITHER: "纸质或电子"}
SOURCE_LABELS = {
    MaterialSource.APPLICANT: "申请人自备",
    MaterialSource.GOVERNMENT: "政府部门核发",
    MaterialSource.INTERMEDIARY: "中介机构出具",
}
SPECIAL_LABELS = {
    SpecialProcedure.HEARING: "听证",
    SpecialProcedure.TESTING: "检验、检测",
    SpecialProcedure.INSPECTION: "现场勘验、检疫",
    SpecialProcedure.EXPERT_REVIEW: "专家评审",
}
LICENCE_LABELS = {
    "cancelled": "直接取消审批",
    "filing": "审批改为备案",
    "commitment": "实行告知承诺",
    "optimised": "优化审批服务",
}
EXEMPT_TEXT = "免提交（通过数据共享获取）"


# ---------------------------------------------------------------- 办事服务


@dataclass(frozen=True)
class RegionLevelChoice:
    label: str
    selected: str
    options: list[Region]


# The picker's levels, top down: 省、市、县, then 乡镇 and 村 (12-digit codes).
REGION_PICKER_LABELS = (
    "省（自治区、直辖市）",
    "市（地区、州）",
    "县（市、区）",
    "乡镇（街道）",
    "村（社区）",
)


def _region_chain(values: list[str]) -> list[Region]:
    """The chosen regions from the top down (province, city, county, township, village).

    The picker sends one ``region`` per level; a lower choice that is not
    beneath the one above it (the upper choice changed without JavaScript)
    is dropped, so the deepest consistent choice wins.
    """
    chain: list[Region] = []
    for value in values[: len(REGION_PICKER_LABELS)]:
        if not value:
            break
        try:
            region = region_get(value)
        except DomainError:
            break
        if chain and region.parent_id != chain[-1].code:
            break
        if not chain and region.parent_id:
            # A city or county chosen directly (a link): rebuild its ancestors.
            above = search.region_codes(region.path)[:-1]
            chain = [*(region_get(code) for code in above), region]
            continue
        chain.append(region)
    return chain[: len(REGION_PICKER_LABELS)]


def _region_levels(chain: list[Region]) -> list[RegionLevelChoice]:
    labels = REGION_PICKER_LABELS
    levels = [
        RegionLevelChoice(labels[0], chain[0].code if chain else "", list(regions_children("")))
    ]
    for depth in range(1, len(labels)):
        if len(chain) < depth:
            break
        children = list(regions_children(chain[depth - 1].code))
        if not children:
            break
        selected = chain[depth].code if len(chain) > depth else ""
        levels.append(RegionLevelChoice(labels[depth], selected, children))
    return levels


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


UNIT_LABELS = {LimitUnit.WORKING_DAYS.value: "个工作日", LimitUnit.NATURAL_DAYS.value: "个自然日"}


def _limit_text(item: ServiceItem, unit: str) -> str:
    if item.handling == Handling.IMMEDIATE.value or item.promised_days == 0:
        return "即办"
    if item.promised_days is None:
        return ""
    return f"承诺 {item.promised_days} {UNIT_LABELS.get(unit, '个工作日')}"


@dataclass(frozen=True)
class ResultRow:
    item: ServiceItem
    depth: str
    modes: list[str]
    limit: str
    audience: str


def _result_row(item: ServiceItem, unit: str) -> ResultRow:
    return ResultRow(
        item=item,
        depth=DEPTH_LABELS.get(item.online_depth or 0, ""),
        modes=[MODE_LABELS[m] for m in item.modes if m in MODE_LABELS],
        limit=_limit_text(item, unit),
        audience="、".join(
            AUDIENCE_LABELS[a].removesuffix("办事") for a in item.audience if a in AUDIENCE_LABELS
        ),
    )


@require_GET
def services_index(request: HttpRequest) -> HttpResponse:
    get = request.GET
    q = search.clean_query(get.get("q"))
    audience = get.get("audience", "") if get.get("audience") in AUDIENCE_LABELS else ""
    theme = get.get("theme", "").strip()[:40]
    mode = get.get("mode", "") if get.get("mode") in MODE_LABELS else ""
    department = _int(get.get("department"))
    # The header's 所在地区 scopes the search unless the page chose a region.
    chain = _region_chain(get.getlist("region") if "region" in get else [current_region(request)])
    region = chain[-1].code if chain else ""
    cursor = get.get("cursor") or None
    error = ""
    status = 200
    try:
        page = selectors.service_items_search(
            q=q,
            region=region or None,
            department=department,
            audience=audience or None,
            theme=theme or None,
            mode=mode or None,
            cursor=cursor,
            limit=PAGE_SIZE,
        )
    except DomainError as exc:
        page = search.SearchPage([], None)
        error = exc.detail
        status = 400 if exc.status == 400 else 200
    units = selectors.promised_units(page.items)
    filters = {
        "q": q,
        "audience": audience,
        "theme": theme,
        "mode": mode,
        "department": department or "",
        "region": region,
    }
    kept = {k: v for k, v in filters.items() if v}
    themes = [t.title for t in (BUSINESS_THEMES if audience == "legal_entity" else LIFE_THEMES)]
    if not audience:
        themes = [t.title for t in (*LIFE_THEMES, *BUSINESS_THEMES)]
    context = {
        "q": q,
        "audience": audience,
        "theme": theme,
        "mode": mode,
        "department": department,
        "region": chain[-1] if chain else None,
        "region_levels": _region_levels(chain),
        "audiences": list(AUDIENCE_LABELS.items()),
        "themes": themes,
        "modes": list(MODE_LABELS.items()),
        "departments": selectors.departments_with_items(region=chain[-1].code if chain else None),
        "rows": [_result_row(item, units.get(item.pk, "")) for item in page.items],
        "next_url": "?" + urlencode({**kept, "cursor": page.next_cursor})
        if page.next_cursor
        else "",
        "first_url": "?" + urlencode(kept) if cursor else "",
        "filtered": bool(kept),
        "error": error,
        "audience_urls": [
            (
                value,
                label,
                "?" + urlencode({**_without(kept, "audience", "theme"), "audience": value}),
            )
            for value, label in AUDIENCE_LABELS.items()
        ],
        "clear_url": "?" + urlencode({"q": q}) if q else "?",
    }
    return render(request, "portal/catalog/services.html", context, status=status)


def _without(params: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in names}


# ---------------------------------------------------------------- 办事指南


@dataclass(frozen=True)
class MaterialView:
    material: MaterialRequirement
    requirement: str
    copies: str
    media: str
    source: str
    exempt: bool
    situations: str
    # 空白表格、示例样表: (label, uploaded file or None, text when no file)
    downloads: tuple[tuple[str, FileLink | None, str], ...] = ()


def _downloads(
    m: MaterialRequirement, links: dict[str, FileLink]
) -> tuple[tuple[str, FileLink | None, str], ...]:
    shown = []
    for kind, label in KINDS.items():
        value = getattr(m, kind)
        if value:
            shown.append((label, links.get(file_key(value)), "" if file_key(value) else value))
    return tuple(shown)


def _material_view(
    m: MaterialRequirement,
    situation_names: dict[str, str],
    links: dict[str, FileLink] | None = None,
) -> MaterialView:
    exempt = m.exempt or m.source == MaterialSource.GOVERNMENT
    counts = []
    if m.originals:
        counts.append(f"原件 {m.originals} 份")
    if m.copies:
        counts.append(f"复印件 {m.copies} 份")
    return MaterialView(
        material=m,
        requirement=REQUIREMENT_LABELS[m.requirement],
        copies="，".join(counts) or "—",
        media=MEDIA_LABELS[m.media],
        source=SOURCE_LABELS[m.source],
        exempt=exempt,
        situations="、".join(situation_names.get(code, code) for code in m.situations),
        downloads=_downloads(m, links or {}),
    )


@dataclass(frozen=True)
class AskedQuestion:
    question: Question
    chosen: str  # the option code answered, or ""
    field: str  # the query-string name of the answer


@dataclass(frozen=True)
class GuidedResult:
    asked: list[AskedQuestion]
    finished: bool
    situation: Situation | None
    materials: list[MaterialView]


def guided_result(guide: GuideContent, params: dict[str, str]) -> GuidedResult:
    """The situation walk of ``catalog.situations`` with answers from the query
    string (``q_<question code>=<option code>``), as the page shows it."""
    answers = {k[2:]: v for k, v in params.items() if k.startswith("q_")}
    walk = situation_walk(guide, answers)
    names = {s.code: s.name for s in guide.situations}
    return GuidedResult(
        [AskedQuestion(a.question, a.chosen, f"q_{a.question.code}") for a in walk.asked],
        walk.finished,
        walk.situation,
        [_material_view(m, names) for m in walk.materials],
    )


def _guide_context(item: ServiceItem, request: HttpRequest) -> dict[str, Any]:
    version = item.current_version
    assert version is not None  # the public selector returns published items only
    guide = GuideContent.model_validate(version.content)
    names = {s.code: s.name for s in guide.situations}
    links = guide_file_links(item, guide)
    walk = guided_result(guide, {k: str(request.GET.get(k, "")) for k in request.GET})
    unit = {LimitUnit.WORKING_DAYS: "个工作日", LimitUnit.NATURAL_DAYS: "个自然日"}
    return {
        "history": selectors.guide_history_public(item),
        "item": item,
        "version": version,
        "guide": guide,
        "audience": "、".join(
            AUDIENCE_LABELS[a.value].removesuffix("办事") for a in guide.audience
        ),
        "handling": "即办件" if guide.handling == Handling.IMMEDIATE else "承诺件",
        "legal_limit": f"{guide.legal_limit.value} {unit[guide.legal_limit.unit]}",
        "promised_limit": promised_limit_text(guide),
        "depth": DEPTH_LABELS.get(guide.online_depth, ""),
        "modes": [SERVICE_MODE_LABELS[m] for m in guide.modes],
        "materials": [_material_view(m, names, links) for m in guide.materials],
        "steps": [
            (step, SPECIAL_LABELS.get(step.special_procedure) if step.special_procedure else "")
            for step in guide.steps
        ],
        "flowchart": mark_safe(  # noqa: S308  (flowchart_svg escapes every text it draws)
            flowchart_svg(guide, department=item.department.name, id_prefix="guide-flow")
        ),
        "walk": walk,
        "licence_separation": LICENCE_LABELS.get(guide.licence_separation or "", ""),
        "answered": bool(walk.asked and walk.asked[0].chosen),
        "no_visit": ServiceMode.NO_VISIT in guide.modes,
    }


def _public_item(code: str) -> ServiceItem:
    try:
        return selectors.service_item_get_public(code)
    except DomainError as exc:
        raise Http404(exc.detail) from None


@require_GET
def service_guide(request: HttpRequest, code: str) -> HttpResponse:
    item = _public_item(code)
    return render(request, "portal/catalog/guide.html", _guide_context(item, request))


@require_GET
def service_guide_print(request: HttpRequest, code: str) -> HttpResponse:
    item = _public_item(code)
    return render(request, "portal/catalog/guide_print.html", _guide_context(item, request))


@require_GET
def service_file(request: HttpRequest, code: str, key: str) -> HttpResponseBase:
    """A blank form or sample that the published guide offers (``catalog.files``)."""
    item = _public_item(code)
    try:
        stored = guide_file_get_public(item, key)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    response = FileResponse(stored.file.open("rb"), content_type=stored.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stored.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- 清单


def _list_region(request: HttpRequest) -> tuple[Region, list[RegionLevelChoice]]:
    chosen = request.GET.getlist("region") if "region" in request.GET else []
    chain = _region_chain(chosen or [current_region(request)])
    if not chain:
        provinces = list(regions_children(""))
        if not provinces:
            raise Http404("尚未导入行政区划。")
        chain = [provinces[0]]
    return chain[-1], _region_levels(chain)


@require_GET
def lists_index(request: HttpRequest) -> HttpResponse:
    region, levels = _list_region(request)
    definitions = list(lists.LISTS.values())
    return render(
        request,
        "portal/catalog/lists.html",
        {
            "region": region,
            "region_levels": levels,
            "six": [d for d in definitions if d.kind == "six"],
            "modes": [d for d in definitions if d.kind != "six"],
        },
    )


@require_GET
def list_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        definition = lists.list_definition_get(slug)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    region, levels = _list_region(request)
    rows = lists.list_rows(slug, region)
    columns = [
        c for c in definition.columns if not (definition.grouped and c.key == "licence_separation")
    ]
    groups = [
        (group.title, [(row, [(c.key, row.cell(c.key)) for c in columns]) for row in group.rows])
        for group in lists.group_rows(rows)
    ]
    return render(
        request,
        "portal/catalog/list.html",
        {
            "definition": definition,
            "region": region,
            "region_levels": levels,
            "groups": groups,
            "count": len(rows),
            "columns": columns,
        },
    )


@require_GET
def list_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404("不支持的格式。")
    try:
        lists.list_definition_get(slug)
    except DomainError as exc:
        raise Http404(exc.detail) from None
    region, _levels = _list_region(request)
    export = exports.list_export(slug, region, "xlsx" if fmt == "xlsx" else "pdf")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{slug}.{fmt}\"; filename*=UTF-8''{quote(export.filename)}"
    )
    return response


# ---------------------------------------------------------------- 统计


@require_GET
def catalog_stats(request: HttpRequest) -> HttpResponse:
    region, levels = _list_region(request)
    figures = stats.catalog_stats(region)
    return render(
        request,
        "portal/catalog/stats.html",
        {
            "region": region,
            "region_levels": levels,
            "stats": figures,
            "type_labels": "、".join(ItemType(t).label for t in figures.counted_types),
        },
    )
