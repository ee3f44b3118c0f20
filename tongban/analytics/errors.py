"""Stable error codes of the indicators board (CONVENTIONS 7)."""

from __future__ import annotations

from tongban.core.errors import define

BOARD_PERIOD_INVALID = define("board_period_invalid", 422, "统计期间无效")
BOARD_REGION_OUT_OF_SCOPE = define("board_region_out_of_scope", 403, "区划不在本人数据范围内")
BOARD_NOT_ALLOWED = define("board_not_allowed", 403, "无权查看指标看板")
