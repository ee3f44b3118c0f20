"""The one API at /api/v1/: every app's router, problem+json for every error."""

from __future__ import annotations

from tongban import __version__
from tongban.appointments.api import router as appointments_router
from tongban.bundles.api import projects_router
from tongban.bundles.api import router as bundles_router
from tongban.cases.api import router as cases_router
from tongban.catalog.api import router as catalog_router
from tongban.certificates.api import router as certificates_router
from tongban.core.api.audit import router as audit_router
from tongban.core.api.calendar import router as calendar_router
from tongban.core.api.draws import router as draws_router
from tongban.core.api.openapi import TongbanAPI
from tongban.core.api.setup import install_problem_handlers
from tongban.credit.api import router as credit_router
from tongban.evaluation.api import router as evaluation_router
from tongban.hotline.api import router as hotline_router
from tongban.identity.api import router as identity_router
from tongban.integration.api import router as integration_router
from tongban.intermediaries.api import router as intermediaries_router
from tongban.intermediaries.api import trading_router
from tongban.payments.api import router as payments_router
from tongban.sharing.api import router as sharing_router
from tongban.sharing.registry_api import router as registry_checks_router
from tongban.supervision.api import router as supervision_router
from tongban.supervision.inspection_api import handoff_router, inspections_router

api = TongbanAPI(
    title="通办 Tongban API",
    version=__version__,
    description="一体化在线政务服务平台接口。错误均为 RFC 9457 problem+json，含稳定的 code。",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_problem_handlers(api)
api.add_router("/calendar/", calendar_router)
api.add_router("/audit/", audit_router)
api.add_router("/draws/", draws_router)
api.add_router("/identity/", identity_router)
# The 人口库 and 法人库 checks of an account, served by the app that holds the registries.
api.add_router("/identity/", registry_checks_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/supervision/", supervision_router)
api.add_router("/supervision/inspections/", inspections_router)
api.add_router("/supervision/handoffs", handoff_router)
api.add_router("/credit/", credit_router)
api.add_router("/cases", cases_router)
api.add_router("/sharing/", sharing_router)
api.add_router("/certificates/", certificates_router)
api.add_router("/hotline/", hotline_router)
api.add_router("/bundles", bundles_router)
api.add_router("/projects", projects_router)
api.add_router("/integration/", integration_router)
api.add_router("/evaluation/", evaluation_router)
api.add_router("/appointments/", appointments_router)
api.add_router("/intermediaries/", intermediaries_router)
api.add_router("/trading/", trading_router)
api.add_router("/payments/", payments_router)
