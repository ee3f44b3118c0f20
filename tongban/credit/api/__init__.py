"""信用 API at /api/v1/credit/ (``routes``; schemas in ``schemas``)."""

from tongban.credit.api.routes import router

__all__ = ["router"]
