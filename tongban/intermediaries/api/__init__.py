"""中介服务超市 API (/api/v1/intermediaries/) and 公共资源交易 API (/api/v1/trading/)."""

from tongban.intermediaries.api.marketplace import router
from tongban.intermediaries.api.trading import router as trading_router

__all__ = ["router", "trading_router"]
