"""Catalogue search at province scale, against PostgreSQL (DESIGN §9). Not a test.

Seeds ~2,000 basic items implemented by the county departments of ~100
counties (≈ 200,000 service items, each with one published guide version and
its search entry made by the same ``search_entry_values`` the services use),
then times typical portal queries

1. through ``catalog.search.search_items`` / ``suggest`` in this process, and
2. over HTTP against gunicorn (2 sync workers, loopback only) at 1 and 16
   concurrent clients,

and prints p50/p95/p99 and throughput as a Markdown table for
docs/performance.md.

    createdb tongban_bench; DATABASE_URL=postgres://…/tongban_bench tongban migrate
    .venv/bin/python bench/catalog_search.py --database-url postgres://…/tongban_bench

Rows are written with COPY rather than 200,000 publish calls; the bench does
not write GuideEvent or audit rows (search never reads them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402  # after the path is set
    copy_models,
    markdown,
    next_id,
    percentiles,
    request,
    reset_sequence,
    start_gunicorn,
)

# --- the generated catalogue ---------------------------------------------------------------

# (department suffix, item type, audience, themes, stems)
CATEGORIES: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        "市场监督管理局",
        "01",
        "legal_entity",
        ["设立变更", "准营准办"],
        [
            "营业执照",
            "食品经营许可证",
            "食品生产许可证",
            "药品经营许可证",
            "医疗器械经营许可证",
            "特种设备使用登记",
            "计量器具强制检定",
            "个体工商户登记",
            "农民专业合作社登记",
            "股权出质登记",
            "动产抵押登记",
            "广告发布登记",
            "企业名称登记",
            "食品小作坊登记证",
            "工业产品生产许可证",
        ],
    ),
    (
        "公安局",
        "07",
        "person",
        ["户籍办理"],
        [
            "户口迁移",
            "户口登记",
            "居民身份证",
            "临时居民身份证",
            "居住证",
            "出生登记",
            "死亡注销户口",
            "机动车登记",
            "机动车驾驶证",
            "往来港澳通行证",
            "养犬登记",
            "剧毒化学品购买许可证",
            "烟花爆竹道路运输许可证",
            "保安服务许可证",
        ],
    ),
    (
        "人力资源和社会保障局",
        "20",
        "person",
        ["社会保障", "就业创业"],
        [
            "社会保险关系转移",
            "社会保障卡",
            "养老保险待遇领取",
            "失业保险金",
            "就业创业证",
            "职业资格证书",
            "劳务派遣经营许可证",
            "人力资源服务许可证",
            "工伤认定",
            "职业技能等级认定",
            "退休审批",
            "创业担保贷款",
        ],
    ),
    (
        "民政局",
        "07",
        "person",
        ["婚姻登记", "身后事", "生育收养"],
        [
            "结婚登记",
            "离婚登记",
            "结婚证补领",
            "收养登记",
            "社会团体登记",
            "民办非企业单位登记",
            "最低生活保障",
            "特困人员救助供养",
            "临时救助",
            "殡葬服务",
            "慈善组织认定",
            "地名命名",
        ],
    ),
    (
        "卫生健康委员会",
        "01",
        "person",
        ["生育收养"],
        [
            "出生医学证明",
            "医疗机构执业许可证",
            "医师执业注册",
            "护士执业注册",
            "公共场所卫生许可证",
            "生育登记",
            "母婴保健技术服务许可",
            "放射诊疗许可",
        ],
    ),
    (
        "医疗保障局",
        "20",
        "person",
        ["社会保障", "退休"],
        [
            "医保关系转移接续",
            "异地就医备案",
            "门诊慢特病待遇认定",
            "医疗费用零星报销",
            "生育保险待遇",
            "医保参保登记",
            "定点医药机构",
        ],
    ),
    (
        "住房和城乡建设局",
        "01",
        "legal_entity",
        ["准营准办"],
        [
            "建筑工程施工许可证",
            "建筑业企业资质",
            "房地产开发企业资质",
            "商品房预售许可证",
            "住房公积金提取",
            "住房公积金贷款",
            "城市建筑垃圾处置核准",
            "燃气经营许可证",
        ],
    ),
    (
        "税务局",
        "20",
        "legal_entity",
        ["纳税缴费", "注销"],
        [
            "税务登记",
            "发票领用",
            "增值税申报",
            "个人所得税汇算",
            "税务注销",
            "清税证明",
            "出口退税备案",
            "纳税信用评价",
        ],
    ),
    (
        "自然资源局",
        "01",
        "person",
        [],
        [
            "不动产登记",
            "不动产权证书",
            "建设用地规划许可证",
            "建设工程规划许可证",
            "采矿许可证",
            "乡村建设规划许可证",
        ],
    ),
    (
        "交通运输局",
        "01",
        "legal_entity",
        ["准营准办"],
        [
            "道路运输经营许可证",
            "道路运输从业资格证",
            "网络预约出租汽车运输证",
            "公路超限运输许可",
            "出租汽车经营许可",
        ],
    ),
]
ACTIONS = [
    "核发",
    "变更",
    "注销",
    "延续",
    "补领",
    "换领",
    "遗失补办",
    "备案",
    "查询",
    "年度报告",
    "撤销",
    "信息变更",
    "审核",
    "首次申请",
    "确认",
    "证明开具",
    "预约办理",
    "复核",
    "注销登记",
    "变更登记",
    "迁移",
]
MODES_BY_INDEX = [
    ["no_visit", "fully_online"],
    ["one_visit", "appointment"],
    ["one_visit", "post"],
    ["nearby", "one_visit"],
]


def basic_specs(count: int) -> list[dict[str, Any]]:
    """``count`` basic items: stem × action, cycling through the categories."""
    specs = []
    pairs = [
        (cat, stem, action)
        for action in ACTIONS
        for cat in CATEGORIES
        for stem in cat[4]
        if not stem.endswith(action)
    ]
    for i, (cat, stem, action) in enumerate(pairs[:count]):
        suffix, item_type, audience, themes, _ = cat
        specs.append(
            {
                "code": f"BENCH{i:07d}",
                "name": f"{stem}{action}",
                "stem": stem,
                "suffix": suffix,
                "item_type": item_type,
                "audience": audience,
                "themes": themes,
                "modes": MODES_BY_INDEX[i % len(MODES_BY_INDEX)],
            }
        )
    return specs


def guide_template(spec: dict[str, Any]) -> dict[str, Any]:
    no_visit = "no_visit" in spec["modes"]
    materials = [
        {"code": "application", "name": f"{spec['name']}申请表", "blank_form": "申请表.docx"},
        {"code": "identity", "name": "申请人身份证明"},
    ]
    if spec["audience"] == "legal_entity":
        materials.append(
            {
                "code": "business_licence",
                "name": "营业执照",
                "source": "government",
                "certificate_type": "营业执照",
                "exempt": True,
            }
        )
    return {
        "name": spec["name"],
        "aliases": [],
        "keywords": [spec["stem"]],
        "audience": [spec["audience"]],
        "themes": spec["themes"],
        "handling": "promised",
        "legal_limit": {"value": 20, "unit": "working_days"},
        "promised_limit": {"value": 5, "unit": "working_days"},
        "online_depth": 4 if no_visit else 3,
        "visits_required": 0 if no_visit else 1,
        "mobile": True,
        "free": True,
        "conditions": ["申请人符合法定条件"],
        "legal_bases": [{"title": "《中华人民共和国行政许可法》", "article": "第二十九条"}],
        "result": f"{spec['stem']}办理结果",
        "steps": [
            {"name": "受理", "role": "窗口人员", "share_percent": 20},
            {"name": "审查", "role": "审批人员", "share_percent": 60},
            {"name": "决定", "role": "部门负责人", "share_percent": 20},
        ],
        "materials": materials,
        "modes": spec["modes"],
        "address": "政务服务中心",
        "office_hours": "工作日 9:00-17:00",
        "contacts": [
            {"kind": "咨询电话", "value": "12345"},
            {"kind": "监督投诉电话", "value": "12345"},
        ],
    }


# --- seeding ---------------------------------------------------------------------------------


def seed(*, basic_count: int, county_count: int, province_share: float) -> dict[str, Any]:
    from django.db import connection, transaction

    from tongban.catalog.content import GuideContent
    from tongban.catalog.lint import errors_of, lint_guide
    from tongban.catalog.models import (
        BasicItem,
        GuideStatus,
        GuideVersion,
        Level,
        SearchEntry,
        ServiceItem,
    )
    from tongban.catalog.search import search_entry_values
    from tongban.catalog.services import implementation_code_for
    from tongban.core import clock
    from tongban.org.demo import credit_code_for
    from tongban.org.models import Department, Region
    from tongban.org.services import regions_load_from_file

    started = time.perf_counter()
    now = clock.now()
    regions_load_from_file()
    province = Region.objects.get(code="320000")
    counties = list(Region.objects.filter(level="county").order_by("code")[:county_count])
    specs = basic_specs(basic_count)
    suffixes = sorted({s["suffix"] for s in specs})
    # Departments: one per category in the province and in every county.
    wanted: dict[tuple[str, str], tuple[Region, str, str]] = {}
    for region in [province, *counties]:
        prefix = region.full_name or region.name
        for suffix in suffixes:
            name = f"国家税务总局{prefix}税务局" if suffix == "税务局" else f"{prefix}{suffix}"
            code = credit_code_for(name=name, region_code=region.code)
            wanted[(region.code, suffix)] = (region, name, code)
    existing = set(Department.objects.values_list("credit_code", flat=True))
    Department.objects.bulk_create(
        [
            Department(name=name, credit_code=code, region=region)
            for region, name, code in wanted.values()
            if code not in existing
        ],
        batch_size=1000,
    )
    by_code = {
        d.credit_code: d
        for d in Department.objects.select_related("region").filter(
            credit_code__in=[code for _, _, code in wanted.values()]
        )
    }
    dept_cache = {key: by_code[code] for key, (_, _, code) in wanted.items()}
    basics = {b.code: b for b in BasicItem.objects.filter(code__startswith="BENCH")}
    fresh = [
        BasicItem(
            code=s["code"],
            name=s["name"],
            item_type=s["item_type"],
            legal_basis="《中华人民共和国行政许可法》",
            levels="234",
            created_at=now,
        )
        for s in specs
        if s["code"] not in basics
    ]
    BasicItem.objects.bulk_create(fresh, batch_size=2000)
    basics = {b.code: b for b in BasicItem.objects.filter(code__startswith="BENCH")}
    templates = {}
    for s in specs:
        guide = GuideContent.model_validate(guide_template(s))
        assert not errors_of(lint_guide(guide, item_type=s["item_type"])), s["name"]
        templates[s["code"]] = guide
    done = set(ServiceItem.objects.values_list("implementation_code", flat=True))
    prepared = time.perf_counter()

    item_id = next_id("catalog_serviceitem")
    version_id = next_id("catalog_guideversion")
    rng = random.Random(20261121)
    total = 0
    with connection.cursor() as cur:
        cur.execute("DROP INDEX IF EXISTS catalog_searchentry_document")
    for index, s in enumerate(specs):
        guide = templates[s["code"]]
        content = guide.model_dump(mode="json")
        basic = basics[s["code"]]
        regions = list(counties)
        if rng.random() < province_share:
            regions.append(province)
        items, versions, entries = [], [], []
        for region in regions:
            dept = dept_cache[(region.code, s["suffix"])]
            code = implementation_code_for(department=dept, basic_item=basic)
            if code in done:
                continue
            item = ServiceItem(
                id=item_id,
                implementation_code=code,
                basic_item=basic,
                department=dept,
                region=region,
                region_path=region.path,
                level=Level.PROVINCE if region.level == "province" else Level.COUNTY,
                status="active",
                current_version_id=version_id,
                created_at=now,
                name=guide.name,
                item_type=s["item_type"],
                handling=guide.handling.value,
                online_depth=guide.online_depth,
                visits_required=guide.visits_required,
                mobile=guide.mobile,
                audience=[a.value for a in guide.audience],
                themes=list(guide.themes),
                modes=[m.value for m in guide.modes],
                has_fee=not guide.free,
                licence_separation="",
                prior_approval=False,
                intermediary_service=False,
                promised_days=guide.promised_limit.value,
                published_at=now,
            )
            versions.append(
                GuideVersion(
                    id=version_id,
                    service_item_id=item_id,
                    number=1,
                    status=GuideStatus.PUBLISHED,
                    content=content,
                    revision=1,
                    change_note="",
                    created_at=now,
                    created_by_id=None,
                    updated_at=now,
                    updated_by_id=None,
                    submitted_at=now,
                    submitted_by_id=None,
                    reviewed_at=now,
                    reviewed_by_id=None,
                    review_comment="",
                    published_at=now,
                    superseded_at=None,
                )
            )
            tokens, initials_text = search_entry_values(item, guide)
            entries.append(
                SearchEntry(
                    service_item_id=item_id,
                    tokens=tokens,
                    initials=initials_text,
                    updated_at=now,
                )
            )
            items.append(item)
            item_id += 1
            version_id += 1
        with transaction.atomic():
            # current_version is a deferred-checkable FK in Django's PostgreSQL schema.
            with connection.cursor() as cur:
                cur.execute("SET CONSTRAINTS ALL DEFERRED")
            copy_models(ServiceItem, items)
            copy_models(GuideVersion, versions)
            copy_models(SearchEntry, entries)
        total += len(items)
        if index % 100 == 99:
            print(f"  {index + 1}/{len(specs)} basic items, {total} service items", flush=True)
    loaded = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '256MB'")
        cur.execute(
            "CREATE INDEX IF NOT EXISTS catalog_searchentry_document ON catalog_searchentry "
            "USING gin (array_to_tsvector(array_remove(string_to_array("
            "tokens || ' ' || initials, ' '), '')))"
        )
        cur.execute("ANALYZE")
    for table in ("catalog_serviceitem", "catalog_guideversion", "catalog_basicitem"):
        reset_sequence(table)
    finished = time.perf_counter()
    return {
        "service_items_written": total,
        "service_items": ServiceItem.objects.count(),
        "basic_items": len(specs),
        "counties": len(counties),
        "prepare_s": round(prepared - started, 1),
        "load_s": round(loaded - prepared, 1),
        "index_analyze_s": round(finished - loaded, 1),
        "total_s": round(finished - started, 1),
    }


# --- measuring -------------------------------------------------------------------------------


def scenarios(counties: Sequence[str], department_of: Callable[[str], int]) -> list[dict[str, Any]]:
    """Typical portal queries; ``region`` is drawn per call from the counties."""
    return [
        {"label": "营业执照 @county", "path": "items", "params": {"q": "营业执照"}},
        {"label": "yyzz @county", "path": "items", "params": {"q": "yyzz"}},
        {
            "label": "社保 转移 @county, audience=person",
            "path": "items",
            "params": {"q": "社保 转移", "audience": "person"},
        },
        {
            "label": "户口 迁移 @county, theme=户籍办理",
            "path": "items",
            "params": {"q": "户口 迁移", "theme": "户籍办理"},
        },
        {
            "label": "browse @county, theme=婚姻登记",
            "path": "items",
            "params": {"theme": "婚姻登记"},
        },
        {
            "label": "营业执照 @county, department",
            "path": "items",
            "params": {"q": "营业执照", "department": "county-market"},
        },
        {"label": "suggest 营业 @county", "path": "suggest", "params": {"q": "营业"}},
        {
            "label": "营业执照, whole province (no region)",
            "path": "items",
            "params": {"q": "营业执照"},
            "no_region": True,
        },
    ]


def concrete(
    scenario: dict[str, Any], rng: random.Random, counties: Sequence[str], market: dict[str, int]
) -> dict[str, Any]:
    params = dict(scenario["params"])
    if not scenario.get("no_region"):
        county = rng.choice(counties)
        params["region"] = county
        if params.get("department") == "county-market":
            params["department"] = market[county]
    return params


def run_direct(runs: int, counties: Sequence[str], market: dict[str, int]) -> list[dict[str, Any]]:
    from tongban.catalog.search import search_items, suggest

    rng = random.Random(1)
    results = []
    for scenario in scenarios(counties, market.__getitem__):
        samples = []
        for i in range(runs + 5):
            params = concrete(scenario, rng, counties, market)
            started = time.perf_counter()
            if scenario["path"] == "suggest":
                suggest(params["q"], region=params.get("region"))
            else:
                kwargs = {k: v for k, v in params.items() if k != "type"}
                search_items(**kwargs)
            if i >= 5:  # warm-up
                samples.append((time.perf_counter() - started) * 1000)
        results.append({"label": scenario["label"], **percentiles(samples)})
    return results


def _get(port: int, path: str, params: dict[str, Any]) -> tuple[int, float]:
    status, ms, _, _ = request(
        port, "GET", f"/api/v1/catalog/{path}?{urllib.parse.urlencode(params)}"
    )
    return status, ms


def run_http(
    port: int, clients: int, requests: int, counties: Sequence[str], market: dict[str, int]
) -> dict[str, Any]:
    """``requests`` requests spread over ``clients`` threads, cycling the scenarios."""
    plan = scenarios(counties, market.__getitem__)
    lock = threading.Lock()
    samples: list[float] = []
    errors: list[int] = []
    counter = iter(range(requests))

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            scenario = plan[n % len(plan)]
            status, ms = _get(port, scenario["path"], concrete(scenario, rng, counties, market))
            with lock:
                samples.append(ms)
                if status != 200:
                    errors.append(status)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        **percentiles(samples),
        "throughput_rps": round(len(samples) / elapsed, 1),
        "errors": len(errors),
    }


def explain(counties: Sequence[str]) -> None:
    """EXPLAIN ANALYZE of the main search query for one county."""
    from django.db import connection

    from tongban.catalog.search import search_items

    queries: list[str] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(connection.ops.compose_sql(sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        search_items(q="营业执照", region=counties[0])
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + queries[-1])
        print("\n".join(row[0] for row in cur.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--basic-items", type=int, default=2000)
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument(
        "--province-share",
        type=float,
        default=0.1,
        help="share of basic items also implemented at province level",
    )
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument(
        "--direct-runs", type=int, default=200, help="calls per scenario in process"
    )
    parser.add_argument(
        "--requests", type=int, default=800, help="HTTP requests per concurrency level"
    )
    parser.add_argument("--clients", default="1,16")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url (or DATABASE_URL) must point at a PostgreSQL database")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "0"
    import django

    django.setup()
    from django.db import connection

    from tongban.org.models import Department, Region

    if not args.skip_seed:
        print(f"seeding {args.basic_items} basic items × {args.counties} counties …", flush=True)
        print(
            json.dumps(
                seed(
                    basic_count=args.basic_items,
                    county_count=args.counties,
                    province_share=args.province_share,
                ),
                ensure_ascii=False,
            )
        )
    counties = list(
        Region.objects.filter(level="county", service_items__isnull=False)
        .distinct()
        .order_by("code")
        .values_list("code", flat=True)
    )
    market = {
        d.region_id: d.pk
        for d in Department.objects.filter(region__in=counties, name__endswith="市场监督管理局")
    }
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM catalog_serviceitem")
        items = cur.fetchone()[0]
    print(
        f"\n{dt.datetime.now(dt.UTC).date().isoformat()}  nproc={os.cpu_count()}  "
        f"{pg_version.split(' on ')[0]}  service items={items}"
    )
    if args.explain:
        explain(counties)
    direct = run_direct(args.direct_runs, counties, market)
    print()
    print(
        markdown(
            "search_items / suggest in process (ms)",
            direct,
            ["label", "n", "p50", "p95", "p99", "mean", "max"],
        )
    )
    if args.no_http:
        return
    connection.close()
    process = start_gunicorn(
        args.database_url,
        args.port,
        args.workers,
        ready=lambda port: _get(port, "suggest", {"q": "营业"})[0] == 200,
    )
    try:
        # Warm every worker (jieba's dictionary, database connections) concurrently,
        # so that the sync workers cannot all be served by the same process.
        with ThreadPoolExecutor(max_workers=8) as pool:
            warm = {"q": "营业执照", "region": counties[0]}
            list(pool.map(lambda _: _get(args.port, "items", warm), range(64)))
        rows = [
            run_http(args.port, int(c), args.requests, counties, market)
            for c in args.clients.split(",")
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    print(
        markdown(
            f"HTTP via gunicorn -w {args.workers}, mixed scenarios (ms)",
            rows,
            ["clients", "n", "p50", "p95", "p99", "mean", "max", "throughput_rps", "errors"],
        )
    )


if __name__ == "__main__":
    main()
