"""The catalogue API at /api/v1/catalog/: one router made of the sub-routers."""

from ninja import Router

from tongban.catalog.api import items, lint, lists

router = Router(tags=["事项库"])
router.add_router("", items.router)
router.add_router("", lint.router)
router.add_router("", lists.router)
