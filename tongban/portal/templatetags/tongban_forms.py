"""Template helpers of the application form (``portal/cases/apply.html``)."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def get_field(form: forms.Form, name: str) -> forms.BoundField:
    """The bound field named ``name`` (for the list of problems at the top)."""
    return form[name]


@register.filter
def kept_upload(form: Any, row: Any) -> Any:
    """The file staged with this draft for the material of ``row``, if kept."""
    return form.kept(row)
