"""Open311 GeoReport v2 routes: every resource with its format extension."""

from django.urls import re_path

from tongban.hotline.open311 import views

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>\w+)$", views.services_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+)\.(?P<fmt>\w+)$",
        views.service_definition,
        name="service",
    ),
    re_path(r"^requests\.(?P<fmt>\w+)$", views.requests_view, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)\.(?P<fmt>\w+)$", views.request_view, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)\.(?P<fmt>\w+)$", views.token_view, name="token"),
]
