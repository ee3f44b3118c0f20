"""Chinese full-text search over the catalogue (DESIGN §5).

Indexing: the text of a published item (name, aliases, keywords, materials,
department, result) is segmented with jieba in search mode; pinyin initials
of every word are a second key ("yyzz" finds 营业执照).

One interface, two engines: :func:`search_items` and :func:`suggest` build the
same boolean query (an AND of OR-groups of exact lexemes) and run it on
SQLite FTS5 (the ``catalog_search_fts`` table, written here next to the
``SearchEntry`` row in the same transaction) or on PostgreSQL through a GIN
index over ``array_to_tsvector(tokens ‖ initials)``, a stored column since
migration 0006 (``search_document``; migration 0002 indexed the expression).
``array_to_tsvector`` takes jieba's words verbatim, so matching does not depend
on the database's text-search parser or locale.

Facets are lexemes of the same document (``@aud:person``, ``@theme:婚姻登记``,
``@mode:no_visit``, ``@type:01``, ``@dept:42``, ``@at:320102`` for the item's
own region and ``@in:<code>`` for every region on its path), so a text query
with filters is one index lookup on both backends. ``@`` never occurs in a
word of :func:`segment`, so no typed query (nor a typed prefix) can hit a tag.

Region rule: for region R an item shows when it is implemented in R, in a
region above R (a provincial item serves every county) or in a region below R
(a citizen choosing 南京市 also sees the districts' items). Own-region items
rank before those of higher regions, which rank before those of lower ones.

Ranking, best first: the name equals the query; the name contains the query;
the name contains every typed word; any other match (aliases, keywords,
materials, department, pinyin initials). Within a tier, the item people
usually mean comes first (issue 20, item 5; docs/catalog.md "Search
ranking"): a 高频事项 (``BasicItem.high_frequency``, from the catalogue's
high-frequency list) before the others, then by the cases filed for the item
in every region over the last year (``BasicItem.usage_count``, refreshed daily
from the cases), so that 营业执照 finds 企业设立登记 before 变更 and 注销. Then
region proximity as above, then name, then id. Every key is an integer or the
name, so pages use the generic keyset cursor (``core.api.pagination``):
stable under inserts, no offset and no page limit.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from tongban.catalog.content import Audience, GuideContent, ServiceMode
from tongban.catalog.models import ItemType, SearchEntry, ServiceItem, ServiceItemStatus
from tongban.core import clock
from tongban.core import errors as core_errors
from tongban.core.api.pagination import paginate
from tongban.core.errors import DomainError
from tongban.org.models import Department, Region

_jieba_lock = threading.Lock()

FTS_TABLE = "catalog_search_fts"
# The PostgreSQL document: a stored column generated from the tokens and the
# initials, with the GIN index (migration 0006; read, never recomputed per query).
PG_DOCUMENT = "catalog_searchentry.search_document"
MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 16
# Words that carry no meaning in a citizen's question ("怎么办理营业执照"). Dropped
# from the query unless nothing else is left, because every word must match.
_STOPWORDS = "的 了 和 与 及 或 在 是 我 我们 要 想 去 需要 怎么 怎样 如何 哪里 哪儿 什么"
QUERY_STOPWORDS = frozenset([*_STOPWORDS.split(), "办理", "申请", "手续", "流程"])
ORDERING = ("search_tier", "search_frequent", "-search_usage", "search_proximity", "name", "id")
PHASE_B_ORDERING = ("search_frequent", "-search_usage", "search_proximity", "name", "id")


def segment(text: str) -> list[str]:
    """Words of ``text`` in jieba's search mode (long words and their parts)."""
    import jieba

    with _jieba_lock:  # jieba initialises its dictionary lazily, not thread-safely
        words = jieba.lcut_for_search(text)
    return [w.strip().lower() for w in words if w.strip() and not _is_punct(w.strip())]


def _is_punct(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)


def initials(words: Iterable[str]) -> list[str]:
    """Pinyin initials of each Chinese word of two or more characters."""
    from pypinyin import Style, lazy_pinyin

    result = []
    for word in words:
        if len(word) >= 2 and any("\u4e00" <= ch <= "\u9fff" for ch in word):
            letters = "".join(p[0] for p in lazy_pinyin(word, style=Style.FIRST_LETTER) if p)
            if letters.isascii() and letters.isalpha():
                result.append(letters.lower())
    return result


def document_text(item: ServiceItem, guide: GuideContent) -> str:
    parts = [guide.name, *guide.aliases, *guide.keywords, guide.result, item.department.name]
    parts += [m.name for m in guide.materials]
    return " ".join(p for p in parts if p)


# --- facets as lexemes --------------------------------------------------------------------


def _tag_value(value: object) -> str:
    """A facet value as one lexeme: letters, digits and ``_`` only (CJK included)."""
    return "".join(ch for ch in str(value) if ch.isalnum() or ch == "_").lower()


def tag(kind: str, value: object) -> str:
    return f"@{kind}:{_tag_value(value)}"


def region_codes(path: str) -> list[str]:
    """ "/320000/320100/320102/" → ["320000", "320100", "320102"]."""
    return [code for code in path.split("/") if code]


def facet_tags(item: ServiceItem) -> list[str]:
    tags = [
        tag("type", item.item_type),
        tag("level", item.level),
        tag("dept", item.department_id),
        tag("at", item.region_id),
    ]
    tags += [tag("in", code) for code in region_codes(item.region_path)]
    tags += [tag("aud", a) for a in item.audience]
    tags += [tag("theme", t) for t in item.themes]
    tags += [tag("mode", m) for m in item.modes]
    return list(dict.fromkeys(t for t in tags if not t.endswith(":")))


def search_entry_values(item: ServiceItem, guide: GuideContent) -> tuple[str, str]:
    """(tokens, initials) of an item's search document.

    ``tokens``: the distinct words of the guide text, then the facet tags.
    ``initials``: the distinct pinyin initials of the name, aliases and keywords.
    """
    words = segment(document_text(item, guide))
    name_words = segment(" ".join([guide.name, *guide.aliases, *guide.keywords]))
    # "@n:" tags mark the words of the name, aliases and keywords, so that the
    # items *about* a thing are found without ranking every item that merely
    # lists it among its materials (see search_items).
    name_tags = [tag("n", w) for w in name_words]
    tokens = " ".join(dict.fromkeys([*words, *facet_tags(item), *name_tags]))
    return tokens, " ".join(dict.fromkeys(initials(name_words)))


def search_index_item(*, service_item: ServiceItem, now: dt.datetime | None = None) -> None:
    """(Re)write the search entry of a published item; remove it when unpublished.

    Called by ``guide_publish`` after the facets were copied, inside its
    transaction, so the document always describes the current version.
    """
    with transaction.atomic():
        version = service_item.current_version
        if version is None:
            SearchEntry.objects.filter(service_item=service_item).delete()
            _fts_write(service_item.pk, None)
            return
        guide = GuideContent.model_validate(version.content)
        tokens, initials_text = search_entry_values(service_item, guide)
        SearchEntry.objects.update_or_create(
            service_item=service_item,
            defaults={
                "tokens": tokens,
                "initials": initials_text,
                "updated_at": now or clock.now(),
            },
        )
        _fts_write(service_item.pk, (tokens, initials_text))


def _fts_write(item_id: int, document: tuple[str, str] | None) -> None:
    """Keep the SQLite FTS5 row of an item equal to its SearchEntry (no-op on PostgreSQL)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [item_id])  # noqa: S608 (constant name)
        if document is not None:
            cur.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, tokens, initials) VALUES (%s, %s, %s)",  # noqa: S608 (constant name)
                [item_id, *document],
            )


def search_rebuild_fts() -> int:
    """Rebuild the SQLite FTS5 table from the SearchEntry rows (after a restore or a
    bulk load that bypassed :func:`search_index_item`). Returns the rows indexed."""
    if connection.vendor != "sqlite":
        return SearchEntry.objects.count()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608 (constant name)
        cur.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, tokens, initials) "  # noqa: S608 (constant name)
            "SELECT service_item_id, tokens, initials FROM catalog_searchentry"
        )
        return int(cur.rowcount)


# --- the query ----------------------------------------------------------------------------


@dataclass
class SearchPage:
    items: list[ServiceItem]
    next_cursor: str | None


def _invalid(field: str, code: str, message: str) -> DomainError:
    return DomainError(
        core_errors.VALIDATION_FAILED,
        f"检索条件有误：{message}",
        fields=[{"field": f"query.{field}", "code": code, "message": message}],
    )


def clean_query(q: str | None) -> str:
    """The query as typed, trimmed, without control characters, at most 100 characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in (q or ""))
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def query_terms(q: str) -> list[str]:
    """The words every result must contain: segment(), minus stop words, at most 16."""
    words = list(dict.fromkeys(segment(q)))
    kept = [w for w in words if w not in QUERY_STOPWORDS] or words
    return kept[:MAX_QUERY_TERMS]


@dataclass(frozen=True)
class _RegionScope:
    region: Region
    ancestor_paths: list[str]  # strictly above the region
    ancestor_codes: list[str]

    @property
    def tags(self) -> list[str]:
        return [tag("in", self.region.code), *[tag("at", c) for c in self.ancestor_codes]]

    def q(self) -> Q:
        return Q(region_path__startswith=self.region.path) | Q(region_path__in=self.ancestor_paths)


def region_scope(code: str) -> _RegionScope:
    region = Region.objects.filter(code=code).first() if code.isdigit() else None
    if region is None:
        raise _invalid("region", "unknown_region", f"行政区划代码 {code[:20]} 不存在")
    codes = region_codes(region.path)[:-1]
    paths = ["/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes))]
    return _RegionScope(region=region, ancestor_paths=paths, ancestor_codes=codes)


def _filter_groups(
    *,
    department: int | None,
    audience: str | None,
    theme: str | None,
    mode: str | None,
    item_type: str | None,
) -> list[list[str]]:
    groups: list[list[str]] = []
    if department is not None:
        if not Department.objects.filter(pk=department).exists():
            raise _invalid("department", "unknown_department", f"部门 {department} 不存在")
        groups.append([tag("dept", department)])
    if audience:
        if audience not in Audience._value2member_map_:
            raise _invalid("audience", "enum", "服务对象须为 person 或 legal_entity")
        groups.append([tag("aud", audience)])
    if theme:
        value = _tag_value(theme)
        if not value:
            raise _invalid("theme", "invalid_theme", "主题无效")
        groups.append([tag("theme", value)])
    if mode:
        if mode not in ServiceMode._value2member_map_:
            raise _invalid("mode", "enum", f"服务方式 {mode[:30]} 不存在")
        groups.append([tag("mode", mode)])
    if item_type:
        if item_type not in ItemType.values:
            raise _invalid("type", "enum", f"事项类型 {item_type[:10]} 不存在")
        groups.append([tag("type", item_type)])
    return groups


def _pg_lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match(
    groups: Sequence[Sequence[str]],
    *,
    prefix_last: bool = False,
    exclude: Sequence[Sequence[str]] = (),
) -> RawSQL:
    """The ids of the search documents that satisfy every group (a group is an OR).

    With ``prefix_last`` the last group is one word typed so far: a prefix.
    With ``exclude``, documents that also satisfy every group of ``exclude`` are
    left out — inside the same index lookup, so the planner never has to
    anti-join a second result set.
    """
    if connection.vendor == "postgresql":
        parts = []
        for i, group in enumerate(groups):
            star = ":*" if prefix_last and i == len(groups) - 1 else ""
            parts.append("(" + " | ".join(_pg_lexeme(t) + star for t in group) + ")")
        query = " & ".join(parts)
        if exclude:
            query += (
                " & !("
                + " & ".join(
                    "(" + " | ".join(_pg_lexeme(t) for t in group) + ")" for group in exclude
                )
                + ")"
            )
        sql = (
            "SELECT catalog_searchentry.service_item_id FROM catalog_searchentry "  # noqa: S608 (constant)
            f"WHERE {PG_DOCUMENT} @@ %s::tsquery"
        )
        # The query is a bound parameter; lexemes are quoted by _pg_lexeme.
        return RawSQL(sql, [query])  # noqa: S611
    parts = []
    for i, group in enumerate(groups):
        star = "*" if prefix_last and i == len(groups) - 1 else ""
        parts.append("(" + " OR ".join(_fts_phrase(t) + star for t in group) + ")")
    query = "(" + " AND ".join(parts) + ")"
    if exclude:
        query += (
            " NOT ("
            + " AND ".join(
                "(" + " OR ".join(_fts_phrase(t) for t in group) + ")" for group in exclude
            )
            + ")"
        )
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 (constant)
    # The FTS5 query is a bound parameter; words are quoted by _fts_phrase.
    return RawSQL(sql, [query])  # noqa: S611


def published_items() -> QuerySet[ServiceItem]:
    """Items the public may see: active, with a published guide."""
    return ServiceItem.objects.filter(
        status=ServiceItemStatus.ACTIVE, current_version__isnull=False
    )


def search_items(
    *,
    q: str = "",
    region: str | None = None,
    department: int | None = None,
    audience: str | None = None,
    theme: str | None = None,
    mode: str | None = None,
    item_type: str | None = None,
    cursor: str | None = None,
    limit: int = 20,
    columns: Sequence[str] = (),
) -> SearchPage:
    """One page of published items matching ``q`` and the filters, best first.

    With ``columns`` the items read only those (``QuerySet.only``): a list of
    results needs a few of an item's columns. Raises ``validation_failed``
    (422) for an unknown region, department or enumerated value, and
    ``invalid_cursor`` (400) for a forged cursor.
    """
    text = clean_query(q)
    terms = query_terms(text) if text else []
    if text and not terms:
        return SearchPage([], None)  # punctuation only: nothing can match
    scope = region_scope(region) if region else None
    groups: list[list[str]] = [[t] for t in terms]
    if scope is not None:
        groups.append(scope.tags)
    groups += _filter_groups(
        department=department, audience=audience, theme=theme, mode=mode, item_type=item_type
    )
    filters = groups[len(terms) :]
    base = published_items().select_related("department", "region")
    if columns:
        base = base.only(*columns)
    limit = max(1, min(limit, 100))
    if not terms:
        qs = base.filter(pk__in=_match(filters)) if filters else base
        qs = qs.annotate(search_tier=_tier(""), search_proximity=_proximity(scope), **_usual())
        page = paginate(qs, ordering=ORDERING, cursor=cursor, limit=limit)
        return SearchPage(list[ServiceItem](page.items), page.next_cursor)
    # Two phases, best first: (A) items whose name, aliases or keywords hold every
    # word, ranked; then (B) the other matches (a material, the department…) by
    # region and name. A broad word such as 营业执照 is a material of most items
    # for businesses; ranking all of them at once would read tens of thousands of
    # rows for the first page, while phase A is small and answers it.
    name_groups = [[tag("n", t), *([t] if t.isascii() and t.isalpha() else [])] for t in terms]
    phase_a = base.filter(pk__in=_match(name_groups + filters)).annotate(
        search_tier=_tier(text), search_proximity=_proximity(scope), **_usual()
    )
    phase_b = base.filter(pk__in=_match(groups, exclude=name_groups)).annotate(
        search_proximity=_proximity(scope), **_usual()
    )
    phase, _, inner = (cursor or "a.").partition(".")
    if phase not in ("a", "b"):
        raise DomainError(core_errors.INVALID_CURSOR, "分页游标无效，请从第一页重新开始。")
    if phase == "b":
        page_b = paginate(phase_b, ordering=PHASE_B_ORDERING, cursor=inner or None, limit=limit)
        return SearchPage(list[ServiceItem](page_b.items), _phase_cursor("b", page_b.next_cursor))
    page_a = paginate(phase_a, ordering=ORDERING, cursor=inner or None, limit=limit)
    items = list[ServiceItem](page_a.items)
    if page_a.next_cursor:
        return SearchPage(items, _phase_cursor("a", page_a.next_cursor))
    need = limit - len(items)
    if need == 0:
        return SearchPage(items, "b." if phase_b.exists() else None)
    page_b = paginate(phase_b, ordering=PHASE_B_ORDERING, cursor=None, limit=need)
    items += list[ServiceItem](page_b.items)
    return SearchPage(items, _phase_cursor("b", page_b.next_cursor))


def _phase_cursor(phase: str, inner: str | None) -> str | None:
    return f"{phase}.{inner}" if inner else None


def _tier(text: str) -> Case | Value:
    if not text:
        return Value(0, output_field=IntegerField())
    whens = [When(name=text, then=Value(0)), When(name__contains=text, then=Value(1))]
    words = text.split()
    if len(words) > 1:
        every = functools.reduce(operator.and_, [Q(name__contains=w) for w in words])
        whens.append(When(every, then=Value(2)))
    return Case(*whens, default=Value(3), output_field=IntegerField())


def _usual() -> dict[str, Any]:
    """The "what people usually mean" keys: 高频事项 first (0), then more cases."""
    return {
        "search_frequent": Case(
            When(basic_item__high_frequency=True, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "search_usage": F("basic_item__usage_count"),
    }


def _proximity(scope: _RegionScope | None) -> Case | Value:
    if scope is None:
        return Value(0, output_field=IntegerField())
    whens = [When(region_path=scope.region.path, then=Value(0))]
    if scope.ancestor_paths:
        whens.append(When(region_path__in=scope.ancestor_paths, then=Value(1)))
    return Case(*whens, default=Value(2), output_field=IntegerField())


def suggest(q: str, region: str | None = None, limit: int = 8) -> list[str]:
    """Item names for as-you-type: names starting with ``q``, then names whose
    words (or their pinyin initials) match ``q`` with its last word as a prefix."""
    text = clean_query(q)[:50]
    limit = max(1, min(limit, 20))
    if not text:
        return []
    scope = region_scope(region) if region else None
    base = published_items()
    if scope is not None:
        base = base.filter(scope.q())
    names = list(
        base.filter(name__startswith=text)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[:limit]
    )
    if len(names) >= limit:
        return names
    words = [w for w in segment(text) if w]
    if not words:
        return names
    groups: list[list[str]] = [[w] for w in words[:-1][:MAX_QUERY_TERMS]] + [[words[-1]]]
    rest = published_items().filter(pk__in=_match(groups, prefix_last=True))
    if scope is not None:
        rest = rest.filter(scope.q())
    more = (
        rest.exclude(name__in=names)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()[: limit - len(names)]
    )
    return names + list(more)
