"""Catalogue API: items endpoints."""

from ninja import Router

router = Router()
