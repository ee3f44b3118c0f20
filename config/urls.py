from django.contrib import admin
from django.urls import include, path

from config.api import api
from tongban.portal.account_views import admin_login_redirect

urlpatterns = [
    path("api/v1/", api.urls),
    # Before the admin's own: one login page, with its failure limits and audit.
    path("admin/login/", admin_login_redirect, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("workbench/", include("tongban.workbench.urls")),
    path("open311/v2/", include("tongban.hotline.open311.urls")),
    # Single sign-on: /.well-known/openid-configuration and /oidc/… (tongban.sso).
    path("", include("tongban.sso.urls")),
    path("", include("tongban.portal.urls")),
]
