"""Catalogue API: lint endpoints."""

from ninja import Router

router = Router()
