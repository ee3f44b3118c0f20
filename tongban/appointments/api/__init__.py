"""预约与叫号 API at /api/v1/appointments/ (``routes``; schemas in ``schemas``)."""

from tongban.appointments.api.routes import router

__all__ = ["router"]
