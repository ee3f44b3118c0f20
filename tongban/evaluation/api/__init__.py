"""好差评 API at /api/v1/evaluation/ (``routes``; schemas in ``schemas``)."""

from tongban.evaluation.api.routes import router

__all__ = ["router"]
