"""中介服务超市 API at /api/v1/intermediaries/: one router made of the sub-routers.

``agencies``: the agency library (public list, joining, services and fees,
qualifications, consortia, the centre's penalties). ``purchases``: the public
purchases with their results and figures, publishing, signing up.
``selection``: selection and the random draw, contract, delivery, rating,
objections and the centre's answers.
"""

from ninja import Router

from tongban.intermediaries.api import agencies, purchases, selection

router = Router(tags=["中介服务超市"])
router.add_router("", agencies.router)
router.add_router("", purchases.router)
router.add_router("", selection.router)
