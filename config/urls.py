from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("workbench/", include("tongban.workbench.urls")),
    path("", include("tongban.portal.urls")),
]
