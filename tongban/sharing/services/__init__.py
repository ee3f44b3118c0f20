"""Writes of data sharing (CONVENTIONS 2): the catalogue, applications and grants,
and the calls (verify, query, intake look-up), each of which appends to the
access log."""

from tongban.sharing.services.calls import (
    QueryAnswer,
    VerifyAnswer,
    check_consumer,
    sharing_call_refuse,
    sharing_query,
    sharing_verify,
)
from tongban.sharing.services.catalogue import FieldSpec, data_resource_register
from tongban.sharing.services.grants import (
    access_grant_approve,
    access_grant_refuse,
    access_grant_request,
    access_grant_revoke,
    access_grant_withdraw,
)
from tongban.sharing.services.lookup import MaterialLookup, sharing_lookup_for_material

__all__ = [
    "FieldSpec",
    "MaterialLookup",
    "QueryAnswer",
    "VerifyAnswer",
    "access_grant_approve",
    "access_grant_refuse",
    "access_grant_request",
    "access_grant_revoke",
    "access_grant_withdraw",
    "check_consumer",
    "data_resource_register",
    "sharing_call_refuse",
    "sharing_lookup_for_material",
    "sharing_query",
    "sharing_verify",
]
