"""Demo data of the 12345 hotline, loaded by ``tongban demo load`` (idempotent).

* the departments the category tree needs that the org demo lacks (城市管理,
  交通运输, 生态环境, 教育, and the 企业投诉举报受理中心 of R-HL-6), through
  ``org.services.department_create``;
* the category tree (ten domains, 43 leaves) and the routing rules of 南京市 and
  赣州市 (a 玄武区 rule sends property-management orders to the district);
* knowledge-base articles;
* a backlog of handled orders (``work_orders_import_history``), written from
  the phrases in ``categories.py``; the routing classifier is trained on it
  and measured on the hand-written held-out orders of ``heldout.py``.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.hotline.demo.categories import DEPARTMENTS, DOMAINS, LEAVES, all_leaves
from tongban.hotline.demo.heldout import HELDOUT
from tongban.hotline.demo.knowledge import ARTICLES
from tongban.hotline.models import Category, KnowledgeArticle, RoutingModel, RoutingRule, WorkOrder
from tongban.hotline.services.history import HandledOrder, work_orders_import_history
from tongban.hotline.services.knowledge import knowledge_article_save
from tongban.hotline.services.routing import routing_train
from tongban.org.demo import credit_code_for
from tongban.org.models import Department, Region
from tongban.org.services import department_create

CITIES = {"320100": "南京市", "360700": "赣州市"}
DISTRICTS = {"320100": ("320102", "320115"), "360700": ("360702", "360781")}
PLACES = {
    "320100": (
        "中山路",
        "新街口",
        "珠江路",
        "玄武湖附近",
        "龙蟠中路",
        "江宁东山街道",
        "百家湖",
        "竹山路",
        "孝陵卫",
        "锁金村",
        "龙眠大道",
        "后宰门",
    ),
    "360700": (
        "红旗大道",
        "章江新区",
        "文清路",
        "八一四大道",
        "瑞金红都大道",
        "厚德路",
        "赣州火车站",
        "章贡区解放路",
    ),
}
TEMPLATES = (
    "{place}{phrase}，希望尽快处理。",
    "反映{place}{phrase}的问题，请相关部门核实。",
    "来电人称{place}{phrase}，要求给个说法。",
    "咨询{phrase}的有关规定，应该怎么办？",
    "{phrase}，已经很长时间了，地点在{place}。",
    "市民投诉：{phrase}，多次反映未果。",
)
CONSULTING = ("SB", "GA", "JY", "WS")
BACKLOG_PER_PHRASE = 4
DEMO_SEED = 12345


def _department(city: str, key: str) -> Department:
    suffix, new = DEPARTMENTS[key]
    name = f"{CITIES[city]}{suffix}"
    found = Department.objects.filter(name=name).first()
    if found is not None:
        return found
    if not new:
        raise LookupError(f"demo department {name} missing")
    region = Region.objects.get(code=city)
    return department_create(
        name=name,
        credit_code=credit_code_for(name=name, region_code=city),
        region=region,
        short_name=f"市{suffix[:4]}",
        actor="demo",
    )


def _categories() -> dict[str, Category]:
    found = {c.code: c for c in Category.objects.all()}
    for order, domain in enumerate(DOMAINS):
        parent = found.get(domain.code)
        if parent is None:
            parent = Category.objects.create(
                code=domain.code,
                name=domain.name,
                path=f"/{domain.code}/",
                business_environment=domain.business_environment,
                sort=order,
            )
            found[domain.code] = parent
        for position, leaf in enumerate(LEAVES[domain.code]):
            if leaf.code not in found:
                found[leaf.code] = Category.objects.create(
                    code=leaf.code,
                    name=leaf.name,
                    parent=parent,
                    path=f"/{domain.code}/{leaf.code}/",
                    handle_working_days=leaf.handle_working_days,
                    business_environment=domain.business_environment,
                    sort=position,
                )
    return found


def _rules(categories: dict[str, Category]) -> int:
    created = 0
    for city in CITIES:
        region = Region.objects.get(code=city)
        for domain, leaf in all_leaves():
            department = _department(city, leaf.department or domain.department)
            _, made = RoutingRule.objects.get_or_create(
                category=categories[leaf.code],
                region=region,
                defaults={"region_path": region.path, "department": department},
            )
            created += made
    xuanwu = Region.objects.get(code="320102")
    district = Department.objects.filter(name="南京市玄武区住房和城乡建设局").first()
    if district is not None:
        _, made = RoutingRule.objects.get_or_create(
            category=categories["ZF01"],
            region=xuanwu,
            defaults={"region_path": xuanwu.path, "department": district},
        )
        created += made
    return created


def _knowledge(categories: dict[str, Category], today: dt.date) -> int:
    created = 0
    for article in ARTICLES:
        if KnowledgeArticle.objects.filter(code=article["code"]).exists():
            continue
        knowledge_article_save(
            code=article["code"],
            title=article["title"],
            question=article.get("question", ""),
            answer=article["answer"],
            category=categories.get(article.get("category", "")),
            source=article.get("source", ""),
            valid_from=dt.date(2026, 1, 1),
            valid_until=article.get("valid_until"),
            actor=None,
        )
        created += 1
    return created


def backlog_rows(categories: dict[str, Category], now: dt.datetime) -> list[HandledOrder]:
    """The demo archive: every phrase of every leaf, in several wordings and places."""
    rng = random.Random(DEMO_SEED)  # noqa: S311  # demo data, not secrets
    regions = {
        code: [Region.objects.get(code=code), *Region.objects.filter(code__in=DISTRICTS[code])]
        for code in CITIES
    }
    rows: list[HandledOrder] = []
    number = 0
    for domain, leaf in all_leaves():
        for phrase in leaf.phrases:
            for _ in range(BACKLOG_PER_PHRASE):
                number += 1
                city = rng.choice(list(CITIES))
                template = rng.choice(TEMPLATES)
                content = template.format(place=rng.choice(PLACES[city]), phrase=phrase)
                registered = now - dt.timedelta(days=rng.randint(1, 150), hours=rng.randint(0, 9))
                satisfaction = rng.choice((5, 5, 5, 4, 4, 3, 2))
                rows.append(
                    HandledOrder(
                        order_no=f"{city}HIST{number:07d}",
                        kind="consultation" if domain.code in CONSULTING else "complaint",
                        channel=rng.choice(("phone", "phone", "phone", "web", "wechat", "app")),
                        content=content,
                        region=rng.choice(regions[city]),
                        category=categories[leaf.code],
                        department=_department(city, leaf.department or domain.department),
                        registered_at=registered,
                        replied_at=registered + dt.timedelta(days=rng.randint(1, 6)),
                        satisfaction=satisfaction,
                        solved=satisfaction >= 3,
                    )
                )
    return rows


def demo_hotline_load(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """Load whatever part of the hotline demo is missing; the counts."""
    moment = now or clock.now()
    with transaction.atomic():
        for city in CITIES:
            for key in DEPARTMENTS:
                _department(city, key)
        categories = _categories()
        rules = _rules(categories)
        articles = _knowledge(categories, clock.local_date(moment))
        imported = 0
        if not WorkOrder.objects.filter(order_no__contains="HIST").exists():
            imported = work_orders_import_history(
                rows=backlog_rows(categories, moment), source="演示历史工单", now=moment
            )
        model = RoutingModel.objects.order_by("-trained_at").first()
        if model is None or imported:
            model = routing_train(heldout=HELDOUT, heldout_name="heldout-handwritten", now=moment)
    return {
        "categories": len(categories),
        "routing_rules_created": rules,
        "knowledge_created": articles,
        "history_imported": imported,
        "routing": model.evaluation,
    }
