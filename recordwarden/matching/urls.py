from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("subject/<int:subject_id>/", views.subject_detail, name="subject"),
    path("subject/<int:subject_id>/confirm/", views.subject_confirm, name="confirm"),
    path("subject/<int:subject_id>/reject/", views.subject_reject, name="reject"),
    path("subject/<int:subject_id>/resolve/", views.subject_resolve, name="resolve"),
]
