"""Bundles API (DESIGN §6).

GET  /api/v1/bundles                                          published bundles (public)
GET  /api/v1/bundles/{code}                                   definition, merged form (public)
GET  /api/v1/bundles/{code}/stats                             figures (public)
POST /api/v1/bundles/{code}/applications                      one submission (applicants)
GET  /api/v1/bundles/applications                             我的一件事 (applicants)
GET  /api/v1/bundles/applications/{no}                        one application
POST /api/v1/bundles/applications/{no}/supplement             combined supplement (applicant)
POST /api/v1/bundles/applications/{no}/withdraw               withdraw (applicant)
POST /api/v1/bundles/applications/{no}/deliver                窗口统一出件 (staff, If-Match)
POST /api/v1/bundles/applications/{no}/extend                 45+15 (lead's head, If-Match)
POST /api/v1/bundles/applications/{no}/joint-procedures[/…]  joint procedures
GET  /api/v1/projects/{code}, POST /api/v1/projects            investment projects
"""

from tongban.bundles.api import applications, definitions
from tongban.bundles.api.projects import router as projects_router

# The literal /applications paths first: a bundle code is never "applications".
router = applications.router
router.add_router("", definitions.router)

__all__ = ["projects_router", "router"]
