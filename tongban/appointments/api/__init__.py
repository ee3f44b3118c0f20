"""预约与叫号 API at /api/v1/appointments/ (``routes``, the directory in ``directory``;
schemas in ``schemas``; 首席服务官 in ``officers``, 通办 in ``cross_region``, 首问 in
``first_questions``, 纠错 in ``error_reports``)."""

from tongban.appointments.api.cross_region import router as cross_region_router
from tongban.appointments.api.directory import router as directory_router
from tongban.appointments.api.error_reports import router as error_reports_router
from tongban.appointments.api.first_questions import router as first_questions_router
from tongban.appointments.api.officers import router as officers_router
from tongban.appointments.api.routes import router

router.add_router("", directory_router)
router.add_router("", officers_router)
router.add_router("", cross_region_router)
router.add_router("", first_questions_router)
router.add_router("", error_reports_router)

__all__ = ["router"]
