from django.urls import path

from . import views

app_name = "disclosure"
urlpatterns = [
    path("", views.index, name="index"),
    # Requesters (portal).
    path("packages/", views.packages, name="packages"),
    path("packages/<str:public_id>/link", views.link_issue, name="link_issue"),
    path("download/<str:token>/", views.download, name="download"),
    # Staff.
    path(
        "staff/packages/<str:public_id>/",
        views.package_detail,
        name="package_detail",
    ),
    path(
        "staff/packages/<str:public_id>/<str:part>.pdf",
        views.package_file,
        name="package_file",
    ),
    path(
        "cases/<str:reference>/accounting/",
        views.case_accounting,
        name="case_accounting",
    ),
    path(
        "cases/<str:reference>/suspend-accounting/",
        views.suspend_accounting,
        name="suspend_accounting",
    ),
    path(
        "cases/<str:reference>/notice-delay/",
        views.notice_delay,
        name="notice_delay",
    ),
    path("notices/", views.notices, name="notices"),
    path("notices/run", views.notices_run, name="notices_run"),
    path("notices/<str:notice_id>.pdf", views.notice_file, name="notice_file"),
]
