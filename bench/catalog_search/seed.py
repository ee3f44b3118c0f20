"""Phase 1: seed the province-scale catalogue with COPY and build the index."""

from __future__ import annotations

import random
import time
from typing import Any

from bench.catalog_search.catalogue import basic_specs, guide_template
from bench.common import (
    copy_models,
    next_id,
    reset_sequence,
)

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
            "USING gin (search_document)"
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
