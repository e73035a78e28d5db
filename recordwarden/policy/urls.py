from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.policy_home, name="home"),
    path("preview/", views.policy_preview, name="preview"),
    path("activate/", views.policy_activate, name="activate"),
    path("versions/<str:sha256>/", views.policy_version_detail, name="version"),
]
