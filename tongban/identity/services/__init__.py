"""Writes of identity: persons, legal entities, accounts, authorizations, login, tokens.

Personal data (ID and phone numbers) is stored only encrypted (SM4-GCM) with
a keyed search token (HMAC-SM3) and a masked copy for display (DESIGN §8).
Audit details carry masked values only. The public sign-up proves the phone
first (``signup``); login counts failures only (``login``).
"""

from tongban.identity.services.accounts import (
    authorization_check_item,
    authorization_grant,
    authorization_revoke,
    business_account_create,
    citizen_signup,
    generated_username,
    staff_account_create,
    system_account_create,
)
from tongban.identity.services.login import login_attempt, login_wait
from tongban.identity.services.persons import (
    legal_entity_register,
    person_phone_reveal,
    person_register,
    validate_person_name,
    validate_phone,
)
from tongban.identity.services.signup import (
    CodeSent,
    citizen_signup_verified,
    signup_code_resend,
    signup_code_send,
    signup_verification_get,
)
from tongban.identity.services.tokens import (
    token_authenticate,
    token_create,
    token_revoke,
    token_revoke_by_prefix,
)

__all__ = [
    "CodeSent",
    "authorization_check_item",
    "authorization_grant",
    "authorization_revoke",
    "business_account_create",
    "citizen_signup",
    "citizen_signup_verified",
    "generated_username",
    "legal_entity_register",
    "login_attempt",
    "login_wait",
    "person_phone_reveal",
    "person_register",
    "signup_code_resend",
    "signup_code_send",
    "signup_verification_get",
    "staff_account_create",
    "system_account_create",
    "token_authenticate",
    "token_create",
    "token_revoke",
    "token_revoke_by_prefix",
    "validate_person_name",
    "validate_phone",
]
