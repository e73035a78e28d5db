from django.urls import path

from . import clerk_views, views

app_name = "intake"
urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.new_request, name="new_request"),
    path("new/who/", views.new_who, name="new_who"),
    path("new/people/", views.new_subjects, name="new_subjects"),
    path("new/records/", views.new_records, name="new_records"),
    path("new/documents/", views.new_documents, name="new_documents"),
    path("new/review/", views.new_review, name="new_review"),
    path("submitted/<str:reference>/", views.confirmation, name="confirmation"),
    path("requests/<str:reference>/", views.request_detail, name="request_detail"),
    path("clerk/", clerk_views.triage, name="triage"),
    path(
        "clerk/submissions/<int:pk>/",
        clerk_views.submission_detail,
        name="submission_detail",
    ),
    path("clerk/paper/", clerk_views.paper, name="paper"),
    path(
        "clerk/requests/<str:reference>/", clerk_views.request_edit, name="request_edit"
    ),
    path(
        "clerk/documents/<int:pk>/",
        clerk_views.document_download,
        name="document_download",
    ),
]
