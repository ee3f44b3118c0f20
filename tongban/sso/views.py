"""The provider's endpoints: django-oauth-toolkit's views with the platform's rules.

- The consent page (授权确认) and the logout question are our pages, in
  Chinese; their CSP lets the form lead back to the client's registered
  address only (``form-action``).
- Every refusal (an unregistered redirect URI, a reused code, a wrong PKCE
  verifier …) is answered with the OAuth error code and written to the audit
  log; nothing is changed.
- After RP-initiated logout the browser goes back only to an address the
  client registered, character for character.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import InvalidOIDCRedirectURIError
from oauth2_provider.models import get_access_token_model
from oauth2_provider.signals import app_authorized

from tongban.core.middleware import client_address, csp_for, csp_nonce
from tongban.sso.audit import sso_audit
from tongban.sso.validators import issued_access_token

# What the user is told when the provider refuses (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6).
ERROR_TEXTS = {
    "invalid_request": (
        "登录请求无效：回调地址未登记、缺少 PKCE 或参数有误。请回到原系统重新发起登录。"
    ),
    "invalid_client": "该系统未在通办登记，不能通过通办登录。",
    "unauthorized_client": "该系统无权使用此登录方式。",
    "access_denied": "您拒绝了授权。",
    "unsupported_response_type": "不支持的登录方式（仅支持授权码模式）。",
    "invalid_scope": "该系统申请的授权范围无效。",
    "login_required": "请先登录通办。",
    "consent_required": "需要您确认授权。",
    "server_error": "通办暂时无法完成登录，请稍后再试。",
}
LOGOUT_TEXTS = {
    "InvalidIDTokenError": "退出请求中的身份令牌无效。",
    "InvalidOIDCRedirectURIError": "退出后返回的地址未在通办登记。",
    "InvalidOIDCClientError": "发起退出的系统未在通办登记。",
    "ClientIdMissmatch": "退出请求的系统与身份令牌不一致。",
}


def _origin(uri: str | None) -> str:
    parts = urlsplit(uri or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def _allow_form_to(request: HttpRequest, response: HttpResponse, uri: str | None) -> HttpResponse:
    """This page's form may lead (through redirects) to ``uri``'s origin as well."""
    origin = _origin(uri)
    if origin and " " not in origin and ";" not in origin:
        policy = csp_for(csp_nonce(request)).replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
        response["Content-Security-Policy"] = policy
    return response


def _error_code(error: Any) -> str:
    inner = getattr(error, "oauthlib_error", None) or getattr(error, "error", None) or error
    return str(getattr(inner, "error", "") or type(inner).__name__)


class AuthorizationView(dot_views.AuthorizationView):
    """授权码模式 with PKCE; the consent page for clients that are not first-party."""

    template_name = "oauth2_provider/authorize.html"

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        error = context.get("error")
        if error is not None:
            context["error_text"] = ERROR_TEXTS.get(
                _error_code(error), ERROR_TEXTS["invalid_request"]
            )
        else:
            context["claims_scopes"] = context.get("scopes_descriptions", [])
        response = super().render_to_response(context, **kwargs)
        return _allow_form_to(self.request, response, self.oauth2_data.get("redirect_uri"))

    def error_response(self, error: Any, application: Any, **kwargs: Any) -> HttpResponse:
        sso_audit(
            action="authorize_refused",
            client_id=getattr(application, "client_id", "")
            or self.request.GET.get("client_id", ""),
            user=self.request.user,
            address=client_address(self.request),
            error=_error_code(error),
        )
        return super().error_response(error, application, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        allowed = bool(form.cleaned_data.get("allow"))
        sso_audit(
            action="consent_granted" if allowed else "consent_denied",
            client_id=form.cleaned_data.get("client_id", ""),
            user=self.request.user,
            address=client_address(self.request),
            scope=form.cleaned_data.get("scope", ""),
        )
        return super().form_valid(form)


class TokenView(dot_views.TokenView):
    """The code-for-token exchange; a refusal is audited with its OAuth error.

    One exchange is one transaction: the grant is read locked, the ID, access
    and refresh token rows, the code's deletion and the audit event commit
    together, and a refusal rolls back whatever was written (``validators``).
    """

    @method_decorator(sensitive_post_parameters("password", "client_secret"))
    def authorization_flow_token_response(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        with transaction.atomic():
            reset = issued_access_token.set(None)
            try:
                _, headers, body, status = self.create_token_response(request)
                if status == 200:
                    token = issued_access_token.get() or self._issued(body)
                    if token is not None:
                        app_authorized.send(sender=self, request=request, token=token)
                else:
                    # Nothing of a refused exchange stays. This is also why
                    # REFRESH_TOKEN_REUSE_PROTECTION is off (config/settings/base.py).
                    transaction.set_rollback(True)
            finally:
                issued_access_token.reset(reset)
        response = HttpResponse(content=body, status=status)
        for key, value in headers.items():
            response[key] = value
        return response

    @staticmethod
    def _issued(body: str) -> Any:
        """The access token row of an answer (a refresh that reused its row)."""
        raw = json.loads(body).get("access_token")
        if raw is None:
            return None
        checksum = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        return get_access_token_model().objects.get(token_checksum=checksum)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            try:
                error = json.loads(response.content).get("error", "")
            except (ValueError, AttributeError):
                error = ""
            sso_audit(
                action="token_refused",
                client_id=(request.POST.get("client_id") or "")[:100],
                address=client_address(request),
                error=str(error)[:60],
                grant_type=(request.POST.get("grant_type") or "")[:40],
            )
        return response


class LogoutView(dot_views.RPInitiatedLogoutView):
    """RP-initiated logout: back only to a ``post_logout_redirect_uri`` registered exactly."""

    template_name = "oauth2_provider/logout_confirm.html"

    def validate_post_logout_redirect_uri(self, application: Any, uri: str | None) -> None:
        super().validate_post_logout_redirect_uri(application, uri)
        if uri and uri not in (application.post_logout_redirect_uris or "").split():
            raise InvalidOIDCRedirectURIError("post_logout_redirect_uri not registered exactly")

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        error = context.get("error")
        if error is not None:
            code = type(error).__name__
            context["error_text"] = LOGOUT_TEXTS.get(code, "退出请求无效。")
            sso_audit(
                action="logout_refused",
                client_id=self.request.GET.get("client_id", "")
                or self.request.POST.get("client_id", ""),
                user=self.request.user,
                address=client_address(self.request),
                error=code,
            )
        response = super().render_to_response(context, **kwargs)
        return _allow_form_to(
            self.request, response, self.oidc_data.get("post_logout_redirect_uri")
        )

    def do_logout(
        self,
        application: Any = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
        token_user: Any = None,
    ) -> HttpResponse:
        sso_audit(
            action="logout",
            client_id=getattr(application, "client_id", ""),
            user=token_user or self.request.user,
            address=client_address(self.request),
        )
        return super().do_logout(application, post_logout_redirect_uri, state, token_user)
