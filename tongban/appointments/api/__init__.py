"""预约与叫号 API at /api/v1/appointments/ (``routes``, the directory in ``directory``;
schemas in ``schemas``)."""

from tongban.appointments.api.directory import router as directory_router
from tongban.appointments.api.routes import router

router.add_router("", directory_router)

__all__ = ["router"]
