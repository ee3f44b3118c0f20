"""Cases API at /api/v1/cases (DESIGN §6): submit, read, track, and task commands.

POST /api/v1/cases                                submit an application (applicants)
GET  /api/v1/cases                                我的办件 (applicants; cursor pages)
GET  /api/v1/cases/queue                          the staff queue (scoped; cursor pages)
GET  /api/v1/cases/{case_no}                      one case (its applicant or scoped staff)
GET  /api/v1/cases/{case_no}/track?name=          public tracking (no login)
POST /api/v1/cases/{case_no}/{command}            accept, refuse, request-supplement,
                                                  start-review, suspend, resume, extend,
                                                  decide, deliver, conclude,
                                                  handle-immediately (staff, If-Match
                                                  required); supplement, withdraw
                                                  (applicant, If-Match optional)
POST /api/v1/cases/{case_no}/post-check           告知承诺事后核查 (staff, once)

Answers carry the case's version as ``ETag: "<version>"``; a command sent with
a stale ``If-Match`` is a 412 ``case_version_mismatch``. ``Idempotency-Key``
works on every POST (core.middleware).
"""

from tongban.cases.api import aftercare, commands, tracking

# The applications' router is the root: its "" paths must stay /api/v1/cases
# (a sub-router mounted at "" would move them to /api/v1/cases/).
from tongban.cases.api.applications import router

router.add_router("", tracking.router)
router.add_router("", commands.router)
router.add_router("", aftercare.router)

__all__ = ["router"]
