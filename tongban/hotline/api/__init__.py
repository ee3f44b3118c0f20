"""Hotline API at /api/v1/hotline/ (DESIGN §6).

POST /orders                         登记 (operators; citizens and businesses online)
GET  /orders                         queues (dispatch, department, revisit, all)
GET  /orders/{order_no}              one order (scoped staff, or its caller)
POST /orders/{order_no}/{command}    answer-directly, hand-over, dispatch, acknowledge,
                                     return, request-extension, approve-extension,
                                     refuse-extension, reply, revisit, reopen, archive,
                                     supervise, merge (If-Match required)
GET  /orders/{order_no}/duplicates   likely duplicates
GET  /categories, /knowledge         the category tree; knowledge-base search
POST /suggest                        suggested category and department
GET  /stats                          analysis (R-HL-5) and R-HL-3 per department
POST /track                          order number + phone, no login

Open311 GeoReport v2 is served beside it at /open311/v2/ (``tongban.hotline.open311``).
"""

from ninja import Router

from tongban.hotline.api import orders, reference

router = Router()
router.add_router("", reference.router)
router.add_router("", orders.router)

__all__ = ["router"]
