from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("tokens/", views.api_tokens, name="api_tokens"),
]
