"""The provider's addresses. Discovery sits at the site root, so the issuer is
the site itself (``/.well-known/openid-configuration``); the endpoints are
under ``/oidc/``. django-oauth-toolkit finds them by its namespace."""

from __future__ import annotations

from django.urls import path
from oauth2_provider import views as dot_views

from tongban.sso import views

app_name = "oauth2_provider"

urlpatterns = [
    path("oidc/authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("oidc/token/", views.TokenView.as_view(), name="token"),
    path("oidc/revoke/", dot_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("oidc/userinfo/", dot_views.UserInfoView.as_view(), name="user-info"),
    path("oidc/jwks/", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    path("oidc/logout/", views.LogoutView.as_view(), name="rp-initiated-logout"),
    path(
        ".well-known/openid-configuration",
        dot_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
]
