"""Account pages: login, logout and the two-step citizen sign-up.

Views are thin (CONVENTIONS 2): they check the form, call one identity
service, and render. Refusals arrive as DomainError and are shown with their
Chinese detail; a 429 carries ``Retry-After`` (issue 9, items 2 and 3).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import DomainError
from tongban.core.middleware import client_address
from tongban.identity import services as identity_services
from tongban.portal.forms import LoginForm, SignupForm, SignupPhoneForm
from tongban.portal.views import _safe_next

# ---------------------------------------------------------------- helpers


def _client_address(request: HttpRequest) -> str:
    # The client's, behind trusted proxies only (core.middleware.proxies).
    return client_address(request) or "unknown"


def _refusal_status(exc: DomainError, response_headers: dict[str, str]) -> int:
    """The page's status for a refusal: 429 (with Retry-After) or 503, else 200."""
    if exc.status in (429, 503):
        response_headers.update(exc.headers)
        return exc.status
    return 200


def _log_in(request: HttpRequest, user: object) -> None:
    backend = getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0]
    auth_login(request, user, backend=backend)  # type: ignore[arg-type]  # identity's User


# ---------------------------------------------------------------- login / logout


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            user = identity_services.login_attempt(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                address=_client_address(request),
            )
        except DomainError as exc:
            error = exc.detail
            status = _refusal_status(exc, headers)
        else:
            _log_in(request, user)
            if next_url:
                return HttpResponseRedirect(next_url)
            if getattr(user, "kind", "") == "staff":
                return redirect("workbench:home")
            return redirect("portal:home")
    response = render(
        request,
        "portal/login.html",
        {"form": form, "error": error, "next": next_url or ""},
        status=status,
    )
    for name, value in headers.items():
        response[name] = value
    return response


def admin_login_redirect(request: HttpRequest) -> HttpResponse:
    """The admin's own login form would bypass the failure limits and the audit
    of ``login_attempt``: staff log in on the one login page (issue 9, item 2)."""
    target = reverse("portal:login")
    next_url = _safe_next(request, request.GET.get("next")) or reverse("admin:index")
    return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth_logout(request)
    messages.success(request, "您已安全退出。")
    return redirect("portal:home")


# ---------------------------------------------------------------- signup
#
# Two steps (issue 9, item 3): the phone gets a one-time code; then the code,
# the name, the ID number and a password. The session holds the verification
# handle and the masked phone only.

SIGNUP_SESSION_KEY = "signup_verification"
SIGNUP_PHONE_KEY = "signup_phone_masked"

# Where a refusal belongs on the second step's form (None: the whole form).
_FIELD_OF_CODE: dict[str, str | None] = {
    "invalid_resident_id": "id_number",
    "invalid_name": "name",
    "weak_password": "password1",
    "username_taken": "username",
    "invalid_username": "username",
    "signup_code_invalid": "code",
}


def _code_sent(request: HttpRequest, sent: identity_services.CodeSent) -> None:
    request.session[SIGNUP_SESSION_KEY] = sent.verification
    request.session[SIGNUP_PHONE_KEY] = sent.phone_masked
    minutes = max(1, settings.TONGBAN_SIGNUP_CODE_TTL_SECONDS // 60)
    messages.success(request, f"验证码已发送至 {sent.phone_masked}，{minutes} 分钟内有效。")


def _with_headers(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for name, value in headers.items():
        response[name] = value
    return response


@require_http_methods(["GET", "POST"])
def signup_view(request: HttpRequest) -> HttpResponse:
    """注册第一步: send a code to the phone."""
    form = SignupPhoneForm(request.POST or None)
    error = ""
    headers: dict[str, str] = {}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            sent = identity_services.signup_code_send(
                phone=form.cleaned_data["phone"], address=_client_address(request)
            )
        except DomainError as exc:
            status = _refusal_status(exc, headers)
            if exc.code == "invalid_phone":
                form.add_error("phone", exc.detail)
            else:
                error = exc.detail
        else:
            _code_sent(request, sent)
            return redirect("portal:signup_details")
    response = render(request, "portal/signup.html", {"form": form, "error": error}, status=status)
    return _with_headers(response, headers)


@require_http_methods(["GET", "POST"])
def signup_details_view(request: HttpRequest) -> HttpResponse:
    """注册第二步: the code and who they are; or, with ``action=resend``, a new code."""
    verification = str(request.session.get(SIGNUP_SESSION_KEY) or "")
    if identity_services.signup_verification_get(verification=verification) is None and not (
        request.method == "POST" and verification
    ):
        messages.info(request, "请先验证手机号码，获取短信验证码。")
        return redirect("portal:signup")
    headers: dict[str, str] = {}
    status = 200
    error = ""
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            sent = identity_services.signup_code_resend(
                verification=verification, address=_client_address(request)
            )
        except DomainError as exc:
            status = _refusal_status(exc, headers)
            error = exc.detail
        else:
            _code_sent(request, sent)
            return redirect("portal:signup_details")
        form = SignupForm()
    elif request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = identity_services.citizen_signup_verified(
                    verification=verification,
                    code=data["code"],
                    name=data["name"],
                    id_number=data["id_number"],
                    username=data["username"] or None,
                    password=data["password1"],
                    address=_client_address(request),
                )
            except DomainError as exc:
                status = _refusal_status(exc, headers)
                _attach_error(form, exc)
            else:
                request.session.pop(SIGNUP_SESSION_KEY, None)
                request.session.pop(SIGNUP_PHONE_KEY, None)
                _log_in(request, user)
                messages.success(
                    request,
                    f"注册成功，欢迎使用通办。您的用户名是 {user.username}，请牢记，登录时使用。",
                )
                return redirect("portal:home")
        # PasswordInput never renders its value: passwords are not sent back.
    else:
        form = SignupForm()
    context = {
        "form": form,
        "error": error,
        "phone_masked": request.session.get(SIGNUP_PHONE_KEY, ""),
    }
    response = render(request, "portal/signup_details.html", context, status=status)
    return _with_headers(response, headers)


def _attach_error(form: SignupForm, exc: DomainError) -> None:
    attached = False
    for entry in exc.fields:
        name = str(entry.get("field") or entry.get("name") or "").removeprefix("body.")
        name = {"password": "password1"}.get(name, name)
        message = str(entry.get("message") or entry.get("detail") or exc.detail)
        if name in form.fields:
            form.add_error(name, message)
            attached = True
    if not attached:
        form.add_error(_FIELD_OF_CODE.get(exc.code), exc.detail)
