"""Chinese full-text search over the catalogue (DESIGN §5).

Indexing: the text of a published item (name, aliases, keywords, materials,
department, result) is segmented with jieba in search mode; pinyin initials
of every word are a second key ("yyzz" finds 营业执照).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

from tongban.catalog.content import GuideContent
from tongban.catalog.models import SearchEntry, ServiceItem
from tongban.core import clock

_jieba_lock = threading.Lock()


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


def search_index_item(*, service_item: ServiceItem, now: dt.datetime | None = None) -> None:
    """(Re)write the search entry of a published item."""
    version = service_item.current_version
    if version is None:
        SearchEntry.objects.filter(service_item=service_item).delete()
        return
    guide = GuideContent.model_validate(version.content)
    words = segment(document_text(service_item, guide))
    name_words = segment(" ".join([guide.name, *guide.aliases, *guide.keywords]))
    SearchEntry.objects.update_or_create(
        service_item=service_item,
        defaults={
            "tokens": " ".join(words),
            "initials": " ".join(dict.fromkeys(initials(name_words))),
            "updated_at": now or clock.now(),
        },
    )
