from django.urls import path

from tongban.portal import (
    account_views,
    apply_views,
    case_views,
    catalog_views,
    certificate_verify_views,
    sharing_views,
    verify_views,
    views,
    wallet_views,
)

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    path("signup/", account_views.signup_view, name="signup"),
    path("signup/details/", account_views.signup_details_view, name="signup_details"),
    path("calendar/", views.calendar_month, name="calendar"),
    path("display/large-text/", views.large_text_toggle, name="large_text"),
    path("services/", catalog_views.services_index, name="services"),
    path("services/<str:code>/", catalog_views.service_guide, name="service_guide"),
    path("services/<str:code>/print/", catalog_views.service_guide_print, name="service_print"),
    path("services/<str:code>/apply/", apply_views.case_apply, name="case_apply"),
    path("my/cases/", case_views.my_cases, name="my_cases"),
    path("my/cases/<str:case_no>/", case_views.my_case, name="my_case"),
    path(
        "my/cases/<str:case_no>/supplement/",
        case_views.my_case_supplement,
        name="my_case_supplement",
    ),
    path("my/cases/<str:case_no>/withdraw/", case_views.my_case_withdraw, name="my_case_withdraw"),
    path(
        "my/cases/<str:case_no>/documents/<str:number>/",
        case_views.my_case_document,
        name="my_case_document",
    ),
    path("track/", case_views.case_track, name="case_track"),
    path("lists/", catalog_views.lists_index, name="lists"),
    path("lists/<slug:slug>/", catalog_views.list_detail, name="list"),
    path(
        "lists/<slug:slug>/download.<str:fmt>",
        catalog_views.list_download,
        name="list_download",
    ),
    path("stats/", catalog_views.catalog_stats, name="stats"),
    path("verify/<str:code>/", verify_views.verify_document, name="verify_document"),
    path("open-data/", sharing_views.open_data, name="open_data"),
    path("my/data-access/", sharing_views.my_data_access, name="my_data_access"),
    path(
        "certificates/verify/",
        certificate_verify_views.certificate_verify,
        name="certificate_verify",
    ),
    path("my/certificates/", wallet_views.wallet, name="wallet"),
    path(
        "my/certificates/authorizations/<int:authorization_id>/revoke/",
        wallet_views.wallet_authorization_revoke,
        name="wallet_authorization_revoke",
    ),
    path(
        "my/certificates/<str:identifier>/",
        wallet_views.wallet_certificate,
        name="wallet_certificate",
    ),
    path(
        "my/certificates/<str:identifier>/pdf/",
        wallet_views.wallet_certificate_pdf,
        name="wallet_certificate_pdf",
    ),
    path("my/certifications/", wallet_views.certifications, name="certifications"),
    path(
        "certifications/verify/<str:code>/",
        wallet_views.certification_verify,
        name="certification_verify",
    ),
    path("proof-items/", wallet_views.proof_items, name="proof_items"),
]
