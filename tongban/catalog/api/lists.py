"""Catalogue API: lists endpoints."""

from ninja import Router

router = Router()
