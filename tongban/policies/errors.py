"""Stable error codes of policy push (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

POLICY_RULES_INVALID = define("policy_rules_invalid", 422, "政策适用条件不符合要求")
POLICY_NOT_PUBLISHED = define("policy_not_published", 409, "政策未发布或已失效")
POLICY_ITEM_REQUIRED = define("policy_item_required", 422, "免申即享政策须关联可办理的事项")
