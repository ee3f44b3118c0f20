"""Writes of the marketplace (CONVENTIONS 4): one service per change."""

from tongban.intermediaries.services.aftercare import (
    objection_decide,
    objection_file,
    purchase_contract_confirm,
    purchase_deliver,
    purchase_rate,
    purchases_service_alert,
)
from tongban.intermediaries.services.agencies import (
    agency_penalty_record,
    agency_qualification_add,
    agency_register,
    agency_service_publish,
    consortium_form,
    service_type_save,
)
from tongban.intermediaries.services.draw import purchase_draw_open, purchase_draw_run
from tongban.intermediaries.services.purchases import (
    eligible_agencies,
    purchase_cancel,
    purchase_publish,
    purchase_select,
    purchase_signup,
)

__all__ = [
    "agency_penalty_record",
    "agency_qualification_add",
    "agency_register",
    "agency_service_publish",
    "consortium_form",
    "eligible_agencies",
    "objection_decide",
    "objection_file",
    "purchase_cancel",
    "purchase_contract_confirm",
    "purchase_deliver",
    "purchase_draw_open",
    "purchase_draw_run",
    "purchase_publish",
    "purchase_rate",
    "purchase_select",
    "purchase_signup",
    "purchases_service_alert",
    "service_type_save",
]
