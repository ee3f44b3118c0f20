"""The published lists of the catalogue (R-CT-4 六个清单, R-CT-5 服务方式清单).

Each list is a :class:`ListDefinition` in :data:`LISTS`: a slug, a title, the
columns it shows and a function that narrows the published, active items.
Pages, the API and the exports all go through :func:`list_items` (a lazy
queryset) and :func:`list_rows` (display rows), so a list reads the same
everywhere.

**Which items belong to region R's list.** An item counts for R when it is
implemented in R, in a region above R, or in a region below R:

* above or at R (``region_path`` is a prefix of R's path): a province item is
  handled for every county's residents, so the county's 网上办 list shows it;
* below R (``region_path`` starts with R's path): the province's list is the
  list of the whole province, including what its cities and counties do.

Sibling regions never mix: 玄武区's list does not show 江宁区's items. Only
published (``current_version`` set) and active items are listed.

Query cost: :func:`list_items` with a :class:`~tongban.org.models.Region` is
lazy; evaluating it is one SQL query (department, region, basic item and the
current guide version are joined). Passing a region *code* costs one more
query to find the region.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from tongban.catalog.content import (
    SERVICE_MODE_LABELS,
    GuideContent,
    Handling,
    LicenceSeparationMode,
    MaterialSource,
    ServiceMode,
    promised_limit_text,
    step_share_text,
)
from tongban.catalog.models import ItemType, Level, ServiceItem, ServiceItemStatus
from tongban.core import errors as core_errors
from tongban.core.errors import DomainError
from tongban.org.models import Region
from tongban.org.selectors import region_ancestor_paths, region_get

# 依申请 and 依职权 powers: types 01–10 are 行政权力, 20 is 公共服务.
POWER_TYPES = tuple(t.value for t in ItemType if t != ItemType.PUBLIC_SERVICE)

DEPTH_LABELS = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}
HANDLING_LABELS = {Handling.IMMEDIATE.value: "即办件", Handling.PROMISED.value: "承诺件"}
LICENCE_SEPARATION_LABELS = {
    LicenceSeparationMode.CANCELLED.value: "直接取消审批",
    LicenceSeparationMode.FILING.value: "审批改为备案",
    LicenceSeparationMode.COMMITMENT.value: "实行告知承诺",
    LicenceSeparationMode.OPTIMISED.value: "优化审批服务",
}
SPECIAL_PROCEDURE_LABELS = {
    "hearing": "听证",
    "testing": "检验检测",
    "inspection": "现场勘验",
    "expert_review": "专家评审",
}


@dataclass(frozen=True)
class Column:
    """One column of a list: ``key`` is a :class:`ListRow` attribute."""

    key: str
    label: str
    width: int  # relative width, in characters (xlsx column width; PDF proportions)


@dataclass(frozen=True)
class ListRow:
    """One published item as a list shows it: every value is display text."""

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
    group: str = ""  # the group heading, for grouped lists (证照分离: the reform mode)

    def cell(self, key: str) -> str:
        return str(getattr(self, key))


Narrow = Callable[[QuerySet[ServiceItem]], QuerySet[ServiceItem]]


@dataclass(frozen=True)
class ListDefinition:
    """A published list. ``narrow`` filters (and may annotate) the region's items;
    ``ordering`` is unique (ends with the implementation code), so it also
    drives cursor pagination."""

    slug: str
    title: str
    description: str
    kind: str  # "six" (R-CT-4) or "mode" (R-CT-5)
    columns: tuple[Column, ...]
    narrow: Narrow
    ordering: tuple[str, ...] = ("level", "implementation_code")
    grouped: bool = False
    basis: str = ""  # the requirement that asks for the list


def _c(key: str, label: str, width: int) -> Column:
    return Column(key, label, width)


CODE = _c("implementation_code", "实施编码", 20)
NAME = _c("name", "事项名称", 22)
TYPE = _c("item_type", "事项类型", 9)
DEPARTMENT = _c("department", "实施主体", 18)
LEVEL = _c("level", "行使层级", 8)
BASIS = _c("legal_basis", "设定依据", 30)
LIMITS = _c("promised_limit", "承诺时限", 10)
LEGAL_LIMIT = _c("legal_limit", "法定时限", 10)
FEES = _c("fees", "收费标准及依据", 28)
DEPTH = _c("online_depth", "网办深度", 7)
VISITS = _c("visits", "跑动次数", 7)
HANDLING = _c("handling", "办件类型", 7)
MODES = _c("modes", "服务方式", 16)
RESULT = _c("result", "办理结果", 14)
MOBILE = _c("mobile", "掌上办", 6)
RESPONSIBILITY = _c("responsibility", "责任事项", 40)
INTERMEDIARY = _c("intermediary", "中介服务事项", 24)
LICENCE = _c("licence_separation", "改革方式", 12)


def _q(**lookups: object) -> Narrow:
    return lambda qs: qs.filter(Q(**lookups))


def _has_mode(mode: ServiceMode) -> Q:
    # JSON lists are matched as text ('"on_the_spot"'), which works on SQLite
    # and PostgreSQL alike (SQLite has no JSON ``contains``); the quotes keep
    # one mode from matching inside another.
    return Q(modes__icontains=f'"{mode.value}"')


def _licence_separation(qs: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    # Grouped in the order of the 证照分离 reform documents, not alphabetically.
    rank = Case(
        *(
            When(licence_separation=mode.value, then=Value(i))
            for i, mode in enumerate(LicenceSeparationMode)
        ),
        default=Value(99),
        output_field=IntegerField(),
    )
    return qs.exclude(licence_separation="").annotate(separation_rank=rank)


_COMMON = (CODE, NAME, TYPE, DEPARTMENT, LEVEL)
_LOCAL_LEVELS = (Level.COUNTY.value, Level.TOWNSHIP.value, Level.VILLAGE.value)

_DEFINITIONS: tuple[ListDefinition, ...] = (
    # 六个清单 (R-CT-4)
    ListDefinition(
        "power",
        "权力清单",
        "行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、"
        "行政裁决和其他行政权力（事项类型 01–10）。",
        "six",
        (*_COMMON, BASIS, LIMITS, RESULT),
        _q(item_type__in=POWER_TYPES),
        basis="R-CT-4",
    ),
    ListDefinition(
        "responsibility",
        "责任清单",
        "与权力清单一一对应：每项权力的责任主体、设定依据和各办理环节的责任事项。",
        "six",
        (CODE, NAME, TYPE, DEPARTMENT, BASIS, RESPONSIBILITY),
        _q(item_type__in=POWER_TYPES),
        basis="R-CT-4",
    ),
    ListDefinition(
        "fees",
        "行政事业收费清单",
        "办理时收取费用的事项，列明收费项目、收费标准和收费依据。",
        "six",
        (*_COMMON, FEES),
        _q(has_fee=True),
        basis="R-CT-4",
    ),
    ListDefinition(
        "prior-approval",
        "前置审批事项清单",
        "作为其他审批事项前置条件的审批事项。",
        "six",
        (*_COMMON, BASIS, LIMITS, RESULT),
        _q(prior_approval=True),
        basis="R-CT-4",
    ),
    ListDefinition(
        "intermediary",
        "行政审批中介服务事项清单",
        "办理时需要中介机构出具材料的事项，列明中介服务事项。",
        "six",
        (*_COMMON, INTERMEDIARY, BASIS),
        _q(intermediary_service=True),
        basis="R-CT-4",
    ),
    ListDefinition(
        "public-service",
        "便民服务事项目录清单",
        "公共服务事项（事项类型 20）。",
        "six",
        (CODE, NAME, DEPARTMENT, LEVEL, LIMITS, FEES, DEPTH, VISITS),
        _q(item_type=ItemType.PUBLIC_SERVICE.value),
        basis="R-CT-4",
    ),
    # 服务方式清单 (R-CT-5)
    ListDefinition(
        "no-visit",
        "“一次不跑”事项清单",
        "申请人无需到现场即可办结的事项（跑动次数为 0）。",
        "mode",
        (*_COMMON, DEPTH, VISITS, LIMITS),
        _q(visits_required=0),
        basis="R-CT-5",
    ),
    ListDefinition(
        "one-visit",
        "“只跑一次”事项清单",
        "申请人最多跑一次即可办结的事项（跑动次数不超过 1，含“一次不跑”事项）。",
        "mode",
        (*_COMMON, DEPTH, VISITS, LIMITS),
        _q(visits_required__lte=1),
        basis="R-CT-5",
    ),
    ListDefinition(
        "on-the-spot",
        "“马上办”事项清单",
        "即办件，或指南标明“马上办”的事项：材料齐全、符合法定形式的当场办结。",
        "mode",
        (*_COMMON, HANDLING, LIMITS, VISITS),
        lambda qs: qs.filter(
            Q(handling=Handling.IMMEDIATE.value) | _has_mode(ServiceMode.ON_THE_SPOT)
        ),
        basis="R-CT-5",
    ),
    ListDefinition(
        "online",
        "“网上办”事项清单",
        "网办深度达到Ⅲ级（网上受理、只跑一次）或Ⅳ级（全程网办）的事项。",
        "mode",
        (*_COMMON, DEPTH, VISITS, MOBILE),
        _q(online_depth__gte=3),
        basis="R-CT-5",
    ),
    ListDefinition(
        "nearby",
        "“就近办”事项清单",
        "指南标明“就近办”，或在县、乡镇（街道）、村（社区）实施的事项。",
        "mode",
        (*_COMMON, MODES, LIMITS),
        lambda qs: qs.filter(_has_mode(ServiceMode.NEARBY) | Q(level__in=_LOCAL_LEVELS)),
        basis="R-CT-5",
    ),
    ListDefinition(
        "no-meeting",
        "“不见面审批”事项清单",
        "指南标明“不见面审批”，或网办深度为Ⅳ级（全程网办）的事项。",
        "mode",
        (*_COMMON, DEPTH, VISITS, LIMITS),
        lambda qs: qs.filter(_has_mode(ServiceMode.NO_MEETING) | Q(online_depth=4)),
        basis="R-CT-5",
    ),
    ListDefinition(
        "licence-separation",
        "“证照分离”改革事项清单",
        "涉企经营许可事项，按改革方式分组：直接取消审批、审批改为备案、实行告知承诺、优化审批服务。",
        "mode",
        (LICENCE, CODE, NAME, DEPARTMENT, LEVEL, BASIS, LIMITS),
        _licence_separation,
        ordering=("separation_rank", "level", "implementation_code"),
        grouped=True,
        basis="R-CT-5",
    ),
)

LISTS: dict[str, ListDefinition] = {d.slug: d for d in _DEFINITIONS}


def list_definition_get(slug: str) -> ListDefinition:
    """The list named ``slug``; ``not_found`` otherwise."""
    definition = LISTS.get(slug)
    if definition is None:
        raise DomainError(core_errors.NOT_FOUND, f"清单 {slug!r} 不存在。")
    return definition


def region_items_q(path: str) -> Q:
    """Items of region ``path`` for the published lists: at or above it, or below it."""
    return Q(region_path__in=region_ancestor_paths(path)) | Q(region_path__startswith=path)


def published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(
        status=ServiceItemStatus.ACTIVE, current_version__isnull=False
    ).select_related("department", "region", "basic_item", "current_version")


def _region(region: Region | str) -> Region:
    return region if isinstance(region, Region) else region_get(region)


def list_items(slug: str, region: Region | str) -> QuerySet[ServiceItem]:
    """The published items of list ``slug`` for ``region`` (a Region or its code),
    in the list's order. Lazy: one query when evaluated. Raises ``not_found``
    for an unknown slug and ``region_not_found`` for an unknown region code."""
    definition = list_definition_get(slug)
    the_region = _region(region)
    qs = published_items().filter(region_items_q(the_region.path))
    return definition.narrow(qs).order_by(*definition.ordering)


def _legal_basis_text(guide: GuideContent, fallback: str) -> str:
    texts = [f"{b.title}{b.article}" for b in guide.legal_bases]
    return "；".join(texts) if texts else fallback


def _fees_text(guide: GuideContent) -> str:
    if guide.free or not guide.fees:
        return "不收费"
    parts = []
    for fee in guide.fees:
        basis = f"（依据：{fee.basis}）" if fee.basis else ""
        parts.append(f"{fee.name}：{fee.standard}{basis}")
    return "；".join(parts)


def responsibility_text(item: ServiceItem, guide: GuideContent) -> str:
    """责任清单: the responsible body, the basis and one duty per step.

    Derived from the guide, so it stays in step with the published procedure:
    each step (受理, 审查, 决定, 送达…) is a duty of the role or department that
    performs it, with its share of the time limit.
    """
    department = item.department.name
    lines = [f"责任主体：{department}"]
    if guide.legal_bases:
        lines.append(f"依据：{_legal_basis_text(guide, '')}")
    for i, step in enumerate(guide.steps, start=1):
        who = "，".join(p for p in (step.department or department, step.role) if p)
        if step.special_procedure:
            label = SPECIAL_PROCEDURE_LABELS.get(step.special_procedure.value, "特别程序")
            when = f"特别程序（{label}），不计入时限"
        elif step.share_percent:
            when = step_share_text(guide, step.share_percent)
        else:
            when = ""
        detail = f"：{step.description}" if step.description else ""
        suffix = f"（{when}）" if when else ""
        lines.append(f"{i}. {step.name}责任（{who}）{suffix}{detail}")
    return "\n".join(lines)


def _intermediary_text(guide: GuideContent) -> str:
    names = [m.name for m in guide.materials if m.source == MaterialSource.INTERMEDIARY]
    return "；".join(names) if names else "需中介服务（见办事指南）"


def item_row(item: ServiceItem) -> ListRow:
    """The display row of one published item (its guide comes from the join)."""
    assert item.current_version is not None
    guide = GuideContent.model_validate(item.current_version.content)
    depth = item.online_depth or guide.online_depth
    separation = item.licence_separation
    return ListRow(
        implementation_code=item.implementation_code,
        basic_code=item.basic_item.code,
        name=item.name,
        item_type=ItemType(item.item_type).label,
        department=item.department.name,
        region=item.region.full_name or item.region.name,
        level=Level(item.level).label,
        legal_basis=_legal_basis_text(guide, item.basic_item.legal_basis),
        handling=HANDLING_LABELS.get(guide.handling.value, ""),
        legal_limit=guide.legal_limit.label(),
        promised_limit=promised_limit_text(guide),
        fees=_fees_text(guide),
        online_depth=DEPTH_LABELS.get(depth, ""),
        visits=f"{guide.visits_required} 次",
        mobile="是" if guide.mobile else "否",
        modes="、".join(SERVICE_MODE_LABELS[m] for m in guide.modes),
        result=guide.result,
        responsibility=responsibility_text(item, guide),
        intermediary=_intermediary_text(guide) if guide.intermediary_service else "",
        licence_separation=LICENCE_SEPARATION_LABELS.get(separation, ""),
        group=LICENCE_SEPARATION_LABELS.get(separation, "") if separation else "",
    )


def rows_of(items: Iterable[ServiceItem], definition: ListDefinition) -> list[ListRow]:
    rows = [item_row(item) for item in items]
    if not definition.grouped:
        rows = [_ungrouped(r) for r in rows]
    return rows


def _ungrouped(row: ListRow) -> ListRow:
    return replace(row, group="") if row.group else row


def list_rows(slug: str, region: Region | str) -> list[ListRow]:
    """Every display row of list ``slug`` for ``region`` (one query given a Region)."""
    definition = list_definition_get(slug)
    return rows_of(list_items(slug, region), definition)


@dataclass(frozen=True)
class RowGroup:
    title: str  # "" for an ungrouped list
    rows: list[ListRow]


def group_rows(rows: list[ListRow]) -> list[RowGroup]:
    """Consecutive rows with the same ``group`` (rows come in the list's order)."""
    groups: list[RowGroup] = []
    for row in rows:
        if not groups or groups[-1].title != row.group:
            groups.append(RowGroup(row.group, []))
        groups[-1].rows.append(row)
    return groups
