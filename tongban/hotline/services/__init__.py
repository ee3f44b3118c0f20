"""Writes of the 12345 hotline: intake and one service per transition (CONVENTIONS 4)."""

from tongban.hotline.services.closing import (
    work_order_archive,
    work_order_escalate,
    work_order_merge,
    work_order_reopen,
    work_order_revisit,
    work_order_supervise,
)
from tongban.hotline.services.intake import (
    AttachmentInput,
    OrderInput,
    work_order_add_info,
    work_order_register,
)
from tongban.hotline.services.knowledge import knowledge_article_save
from tongban.hotline.services.transitions import (
    work_order_acknowledge,
    work_order_answer_directly,
    work_order_approve_extension,
    work_order_dispatch,
    work_order_hand_over,
    work_order_refuse_extension,
    work_order_reply,
    work_order_request_extension,
    work_order_return,
)

__all__ = [
    "AttachmentInput",
    "OrderInput",
    "knowledge_article_save",
    "work_order_acknowledge",
    "work_order_add_info",
    "work_order_answer_directly",
    "work_order_approve_extension",
    "work_order_archive",
    "work_order_dispatch",
    "work_order_escalate",
    "work_order_hand_over",
    "work_order_merge",
    "work_order_refuse_extension",
    "work_order_register",
    "work_order_reopen",
    "work_order_reply",
    "work_order_request_extension",
    "work_order_return",
    "work_order_revisit",
    "work_order_supervise",
]
