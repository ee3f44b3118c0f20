"""The knowledge base (知识库): answers with validity dates (R-HL knowledge)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from tongban.core import clock
from tongban.core.audit import audit_record
from tongban.core.errors import DomainError
from tongban.hotline import errors, text
from tongban.hotline.models import Category, KnowledgeArticle
from tongban.hotline.services._common import actor_label


def knowledge_article_save(
    *,
    code: str,
    title: str,
    answer: str,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    question: str = "",
    category: Category | None = None,
    department_id: int | None = None,
    region_path: str = "",
    source: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> KnowledgeArticle:
    """Create or update one article (found by its code); audited."""
    moment = now or clock.now()
    code = (code or "").strip()
    if not code or len(code) > 20:
        raise DomainError(errors.KNOWLEDGE_INVALID, "知识库条目编号须为 1 到 20 个字符。")
    body = text.clean_text(answer, field="answer", label="答复口径", max_length=5000, required=True)
    heading = text.clean_text(title, field="title", label="标题", max_length=120, required=True)
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(errors.KNOWLEDGE_INVALID, "失效日期不能早于生效日期。")
    with transaction.atomic():
        article, created = KnowledgeArticle.objects.update_or_create(
            code=code,
            defaults={
                "title": heading,
                "question": (question or "").strip()[:2000],
                "answer": body,
                "category": category,
                "department_id": department_id,
                "region_path": region_path,
                "source": (source or "").strip()[:300],
                "tokens": text.token_text([heading, question, body]),
                "valid_from": valid_from,
                "valid_until": valid_until,
                "updated_at": moment,
            },
        )
        audit_record(
            actor=actor_label(actor),
            action="hotline.knowledge_create" if created else "hotline.knowledge_update",
            object_type="hotline.KnowledgeArticle",
            object_id=code,
            details={"valid_from": valid_from, "valid_until": valid_until},
            now=moment,
        )
    return article
