"""Stable error codes of single sign-on (CONVENTIONS 7). The protocol's own
refusals use the OAuth error codes (RFC 6749 §5.2); these are for registration."""

from __future__ import annotations

from tongban.core.errors import define

CLIENT_REDIRECT_URI_INVALID = define("sso_redirect_uri_invalid", 422, "回调地址不符合要求")
CLIENT_NAME_INVALID = define("sso_client_name_invalid", 422, "系统名称不符合要求")
