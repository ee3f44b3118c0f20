from django.urls import path

from tongban.workbench import (
    case_views,
    catalog_file_views,
    catalog_views,
    certificate_views,
    hotline_views,
    intake_views,
    reveal_views,
    sharing_views,
    views,
)

app_name = "workbench"
urlpatterns = [
    path("", views.home, name="home"),
    path("certificates/", certificate_views.certificates_home, name="certificates"),
    path(
        "certificates/<str:identifier>/<slug:action>/",
        certificate_views.certificate_act,
        name="certificate_act",
    ),
    path("intake/", intake_views.case_intake, name="case_intake"),
    path("cases/", case_views.case_queue, name="case_queue"),
    path("cases/<str:case_no>/", case_views.case_detail, name="case_detail"),
    path("cases/<str:case_no>/act/<slug:action>/", case_views.case_act, name="case_act"),
    path("cases/<str:case_no>/reveal/", reveal_views.case_reveal, name="case_reveal"),
    path(
        "cases/<str:case_no>/materials/<str:code>/",
        case_views.case_material,
        name="case_material",
    ),
    path(
        "cases/<str:case_no>/documents/<str:number>/",
        case_views.case_document,
        name="case_document",
    ),
    path("sharing/", sharing_views.sharing_index, name="sharing"),
    path("sharing/resources/<str:code>/", sharing_views.resource_detail, name="sharing_resource"),
    path("sharing/grants/", sharing_views.grant_list, name="sharing_grants"),
    path("sharing/grants/<int:grant_id>/", sharing_views.grant_detail, name="sharing_grant"),
    path(
        "sharing/grants/<int:grant_id>/<slug:action>/",
        sharing_views.grant_act,
        name="sharing_grant_act",
    ),
    path("sharing/verify/<slug:service>/", sharing_views.verify, name="sharing_verify"),
    path("hotline/", hotline_views.desk, name="hotline_desk"),
    path("hotline/register/", hotline_views.register, name="hotline_register"),
    path("hotline/stats/", hotline_views.stats_page, name="hotline_stats"),
    path("hotline/<str:order_no>/", hotline_views.order_detail, name="hotline_order"),
    path(
        "hotline/<str:order_no>/act/<slug:action>/",
        hotline_views.order_act,
        name="hotline_act",
    ),
    path("catalog/", catalog_views.catalog_index, name="catalog"),
    path("catalog/transfer/", catalog_views.catalog_transfer, name="catalog_transfer"),
    path("catalog/transfer/<uuid:import_id>/", catalog_views.catalog_import, name="catalog_import"),
    path(
        "catalog/transfer/<uuid:import_id>/progress/",
        catalog_views.catalog_import_progress,
        name="catalog_import_progress",
    ),
    path("catalog/transfer/export.xlsx", catalog_views.catalog_export, name="catalog_export"),
    path("catalog/<str:code>/", catalog_views.catalog_item, name="catalog_item"),
    path("catalog/<str:code>/draft/", catalog_views.draft_edit, name="catalog_draft"),
    path("catalog/<str:code>/draft/new/", catalog_views.draft_new, name="catalog_draft_new"),
    path(
        "catalog/<str:code>/draft/files/",
        catalog_file_views.draft_file_upload,
        name="catalog_draft_file",
    ),
    path(
        "catalog/<str:code>/files/<str:key>/",
        catalog_file_views.item_file,
        name="catalog_file",
    ),
    path("catalog/<str:code>/submit/", catalog_views.draft_submit, name="catalog_submit"),
    path("catalog/<str:code>/review/", catalog_views.version_review, name="catalog_review"),
    path("catalog/<str:code>/compare/", catalog_views.version_compare, name="catalog_compare"),
]
