"""The indicators of the board (R-AN-2) and the targets the source documents set.

Each indicator is computed from summed rollup rows (``models.Rollup``): a
share is Σ num ÷ Σ den; a per-case figure Σ num ÷ Σ den; a distribution the
median and 90th percentile of the merged histogram. Nothing here reads the
clock or the database: the formulas are pure and tested on hand-computed rows.

Targets belong to the document that sets them, so a region shows the targets
of its own province (as ``catalog.stats`` does for online availability), and
a figure without a document target shows none rather than an invented one:

* 一窗受理率: 江西 000 (七) "2019年底前，市县两级“一窗”受理率要达到90%以上；
  2020年底前，达到100%" (R-CS-2);
* 最多跑一次: 江西 000 (九) "一次不跑" / "只跑一次" for every item (R-CS-2);
* 企业开办 ≤ 3, 不动产登记 ≤ 5, 抵押登记 ≤ 2 working days: 江西 000 (八);
  企业开办 ≤ 3 and 工业建设项目施工许可 ≤ 50: 江苏 002 #25 (“3550”, R-CS-11);
* 证明材料 −60 %: 江西 000 "2019年底企业和群众到政府办事提供证明材料在现有
  基础上再减少60%以上" (measured as the share of 证明事项 removed or replaced);
* 12345: 赣州 004 (十五) dispatch within 1 and answer within 5 working days
  (R-HL-3), applied to every region as the platform's hotline rule;
* 按期办结率 100 %: the limits are statutory (行政许可法 第四十二条) or promised;
* 差评整改按时率 100 %: each rectification has its deadline (国办发〔2019〕51号,
  ``TONGBAN_RECTIFICATION_WORKING_DAYS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from tongban.catalog.models import Level
from tongban.catalog.stats import level_targets, targets_for

Kind = Literal["share", "per_case", "distribution"]

# Rollup metrics (models.Rollup.metric).
ITEMS_ONLINE = "items_online"  # dim: level; num 网上可办 (depth III/IV); den on-application items
ITEMS_FULL_ONLINE = "items_full_online"  # depth IV
ITEMS_MOBILE = "items_mobile"
ITEMS_ZERO_VISIT = "items_zero_visit"
PROOFS_REMOVED = "proofs_removed"  # 证明事项 removed or replaced ÷ all
CASES_ONE_WINDOW = "cases_one_window"  # received through a 综合/全科 window ÷ received
CASES_EXEMPTED = "cases_exempted"  # government-data materials ÷ received cases
CASES_AT_MOST_ONE_VISIT = "cases_visits"  # concluded with ≤ 1 visit ÷ concluded
CASES_ON_TIME = "cases_on_time"  # decided by the decision deadline ÷ concluded with one
CASE_DAYS = "case_days"  # dim: service item id; histogram of working days
BUNDLE_DAYS = "bundle_days"  # dim: bundle code; histogram of working days
RATINGS_GOOD = "ratings_good"  # 好评 ÷ ratings (appeals upheld left out)
RECT_ON_TIME = "rect_on_time"  # answered by due_on ÷ (answered + overdue unanswered)
HOTLINE_DISPATCH = "hotline_dispatch"  # dispatched within 1 working day ÷ registered
HOTLINE_ANSWER = "hotline_answer"  # answered within 5 working days of dispatch ÷ answered
HOTLINE_SATISFIED = "hotline_satisfied"  # 回访 4–5 ÷ revisited

# Metrics of the catalogue's state: a month holds the state when it was built,
# so a period shows its latest month's snapshot instead of a sum.
SNAPSHOT_METRICS = frozenset(
    {ITEMS_ONLINE, ITEMS_FULL_ONLINE, ITEMS_MOBILE, ITEMS_ZERO_VISIT, PROOFS_REMOVED}
)
DISTRIBUTION_METRICS = frozenset({CASE_DAYS, BUNDLE_DAYS})

JX_000 = "江西省人民政府《深入推进“放管服”改革全面优化政务服务若干措施》，2019-03-27"
JS_002 = "中共江苏省委办公厅《关于深入推进审批服务便民化的实施方案》，2018-09-04"
GZ_004 = "赣州市人民政府办公厅《关于进一步深化“放管服”改革优化发展环境的工作方案》，2016"
LAW_42 = "《中华人民共和国行政许可法》第四十二条"
GB_51 = "《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》（国办发〔2019〕51号）"


@dataclass(frozen=True)
class Target:
    """What a document asks of a figure: a share in percent, or at most N working days."""

    value: float
    text: str  # "≥ 90%", "≤ 3 个工作日"
    source: str
    higher_is_better: bool = True

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.value if self.higher_is_better else value <= self.value


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    kind: Kind
    metric: str
    formula: str
    dim: str = ""  # only rows of this dimension (the level, for catalogue shares)
    public: bool = True


def _pct(value: int, source: str) -> Target:
    return Target(value, f"≥ {value}%", source)


def _days(value: int, source: str) -> Target:
    return Target(value, f"≤ {value} 个工作日", source, higher_is_better=False)


# The document targets of a bundle's working days, by province and bundle code.
BUNDLE_TARGETS: dict[str, dict[str, Target]] = {
    "36": {
        "enterprise-opening": _days(3, f"{JX_000}（八）"),
        "real-estate-registration": _days(5, f"{JX_000}（八）"),
        "mortgage-registration": _days(2, f"{JX_000}（八）"),
    },
    "32": {
        "enterprise-opening": _days(3, f"{JS_002} 第25条（“3550”）"),
        "construction-approval": _days(50, f"{JS_002} 第25条（“3550”）"),
    },
}

LEVEL_ORDER = (Level.PROVINCE.value, Level.CITY.value, Level.COUNTY.value, Level.TOWNSHIP.value)


def indicators() -> tuple[Indicator, ...]:
    """Every indicator of the board, in the order shown."""
    online = tuple(
        Indicator(
            f"online_{lv}",
            f"网上可办率（{Level(lv).label}事项）",
            "share",
            ITEMS_ONLINE,
            "网办深度Ⅲ级及以上的依申请事项 ÷ 依申请事项",
            dim=lv,
        )
        for lv in LEVEL_ORDER
    )
    mobile = tuple(
        Indicator(
            f"mobile_{lv}",
            f"掌上可办率（{Level(lv).label}事项）",
            "share",
            ITEMS_MOBILE,
            "标注掌上可办的依申请事项 ÷ 依申请事项（全部事项，非仅高频事项）",
            dim=lv,
        )
        for lv in LEVEL_ORDER
    )
    return (
        *online,
        Indicator(
            "full_online", "全程网办率", "share", ITEMS_FULL_ONLINE, "网办深度Ⅳ级 ÷ 依申请事项"
        ),
        *mobile,
        Indicator(
            "zero_visit_items",
            "零跑动事项占比",
            "share",
            ITEMS_ZERO_VISIT,
            "跑动次数为0的依申请事项 ÷ 依申请事项",
        ),
        Indicator(
            "one_window",
            "一窗受理率",
            "share",
            CASES_ONE_WINDOW,
            "经综合受理窗口或全科窗口收件的办件 ÷ 收件办件",
        ),
        Indicator(
            "at_most_one_visit",
            "最多跑一次办件占比",
            "share",
            CASES_AT_MOST_ONE_VISIT,
            "办结办件中申请人到现场不超过1次的（窗口收件、窗口领取各计1次）÷ 办结办件",
        ),
        Indicator(
            "on_time",
            "按期办结率",
            "share",
            CASES_ON_TIME,
            "决定日期不晚于办结期限的办结办件 ÷ 有办结期限的办结办件",
        ),
        Indicator(
            "case_days",
            "办结用时（工作日）",
            "distribution",
            CASE_DAYS,
            "受理（或收件）至决定的工作日数，全部办结办件的中位数和第90百分位",
        ),
        Indicator(
            "exempted_per_case",
            "每件免提交材料数",
            "per_case",
            CASES_EXEMPTED,
            "以政府共享数据代替的材料数 ÷ 收件办件",
        ),
        Indicator(
            "proofs_removed",
            "证明事项取消或替代比例",
            "share",
            PROOFS_REMOVED,
            "已取消、以数据共享或告知承诺替代的证明事项 ÷ 证明事项",
        ),
        Indicator(
            "good_rate",
            "好评率",
            "share",
            RATINGS_GOOD,
            "非常满意和满意 ÷ 评价数（申诉成立的评价不计）",
        ),
        Indicator(
            "rect_on_time",
            "差评整改按时率",
            "share",
            RECT_ON_TIME,
            "按期答复的整改 ÷（已答复 + 已逾期未答复的整改）",
        ),
        Indicator(
            "hotline_dispatch",
            "12345 一个工作日内派单率",
            "share",
            HOTLINE_DISPATCH,
            "登记后1个工作日内首次派单的工单 ÷ 登记工单",
        ),
        Indicator(
            "hotline_answer",
            "12345 五个工作日内办结率",
            "share",
            HOTLINE_ANSWER,
            "派单后5个工作日内答复的工单 ÷ 已答复工单",
        ),
        Indicator(
            "hotline_satisfied",
            "12345 回访满意率",
            "share",
            HOTLINE_SATISFIED,
            "回访满意度4或5分的工单 ÷ 已回访工单",
        ),
    )


def target_for(indicator: Indicator, *, region_code: str, region_level: str) -> Target | None:
    """The document target of an indicator for a region (None: no document sets one)."""
    province = region_code[:2]
    code = indicator.code
    if indicator.metric in (ITEMS_ONLINE, ITEMS_MOBILE):
        levels = level_targets(targets_for(region_code), indicator.dim)
        percent = (
            levels.online_percent if indicator.metric == ITEMS_ONLINE else levels.mobile_percent
        )
        if percent is None:
            return None
        source = "；".join(dict.fromkeys(t.source for t in levels.all))
        return _pct(percent, source)
    if code == "one_window" and province == "36" and region_level in ("city", "county"):
        return _pct(100, f"{JX_000}（七）：2019年底前市县两级达到90%以上，2020年底前达到100%")
    if code == "at_most_one_visit" and province == "36":
        return _pct(100, f"{JX_000}（九）：“一次不跑”“只跑一次”")
    if code == "proofs_removed" and province == "36":
        return _pct(60, f"{JX_000}：证明材料在现有基础上再减少60%以上")
    if code == "on_time":
        return _pct(100, f"{LAW_42}及承诺时限")
    if code == "rect_on_time":
        return _pct(100, f"{GB_51}；整改期限")
    if code == "hotline_dispatch":
        return _pct(100, f"{GZ_004}（十五）：1个工作日内转办")
    if code == "hotline_answer":
        return _pct(100, f"{GZ_004}（十五）：5个工作日内完成调查处理并反馈")
    return None


# --- formulas ------------------------------------------------------------------


@dataclass
class Sums:
    """Summed rollup rows of one metric (and dimension)."""

    num: int = 0
    den: int = 0
    hist: dict[int, int] = field(default_factory=dict)
    limit: int | None = None

    def add(self, num: int, den: int, hist: Mapping[str, int] | None = None) -> None:
        self.num += num
        self.den += den
        for days, count in (hist or {}).items():
            self.hist[int(days)] = self.hist.get(int(days), 0) + int(count)


def share(sums: Sums | None) -> float | None:
    """Σ num ÷ Σ den in percent, one decimal; None when nothing is counted."""
    if sums is None or not sums.den:
        return None
    return round(100 * sums.num / sums.den, 1)


def per_case(sums: Sums | None) -> float | None:
    if sums is None or not sums.den:
        return None
    return round(sums.num / sums.den, 2)


def percentile(hist: Mapping[int, int], p: float) -> int | None:
    """The nearest-rank percentile of a histogram {value: count}: the smallest
    value v with at least ⌈p·N⌉ observations ≤ v (median: p = 0.5)."""
    total = sum(hist.values())
    if not total:
        return None
    rank = max(1, -(-int(p * 1000) * total // 1000))  # ⌈p·N⌉ without float error
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return max(hist)  # pragma: no cover - rank ≤ total


def within(hist: Mapping[int, int], limit: int | None) -> float | None:
    """The share (percent) of observations at most ``limit``."""
    total = sum(hist.values())
    if limit is None or not total:
        return None
    return round(100 * sum(n for v, n in hist.items() if v <= limit) / total, 1)


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: float | None  # percent, per case, or the median in working days
    num: int
    den: int
    target: Target | None
    p90: int | None = None

    @property
    def met(self) -> bool | None:
        return self.target.met(self.value) if self.target else None

    @property
    def unit(self) -> str:
        return {"share": "%", "per_case": "件", "distribution": "个工作日"}[self.indicator.kind]


def figure(
    indicator: Indicator, sums: Sums | None, *, region_code: str, region_level: str
) -> Figure:
    target = target_for(indicator, region_code=region_code, region_level=region_level)
    s = sums or Sums()
    if indicator.kind == "distribution":
        return Figure(
            indicator,
            percentile(s.hist, 0.5),
            sum(s.hist.values()),
            sum(s.hist.values()),
            target,
            p90=percentile(s.hist, 0.9),
        )
    value = share(sums) if indicator.kind == "share" else per_case(sums)
    return Figure(indicator, value, s.num, s.den, target)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of every month from ``first``'s to ``last``'s."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def parse_period(text: str, *, today: dt.date) -> tuple[dt.date, dt.date, str]:
    """ "2026" or "2026-11" → (first month, last month, label); the current year
    when empty. None of it after the current month; ValueError when malformed."""
    text = (text or "").strip() or str(today.year)
    if len(text) == 4 and text.isdigit():
        year = int(text)
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 1)
        label = f"{year}年"
    elif len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12:
            raise ValueError(text)
        first = last = dt.date(year, month, 1)
        label = f"{year}年{month}月"
    else:
        raise ValueError(text)
    if year < 2000 or first > today:
        raise ValueError(text)
    return first, min(last, today.replace(day=1)), label


def merge(rows: Iterable[Mapping[str, object]]) -> Sums:
    total = Sums()
    for r in rows:
        total.add(int(r["num"] or 0), int(r["den"] or 0), r.get("hist") or {})  # type: ignore[arg-type, call-overload]
    return total
