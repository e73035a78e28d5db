from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite

from .api import api

# Django's admin asks for the second factor too: a password alone opens nothing.
admin.site.__class__ = OTPAdminSite

urlpatterns = [
    path("", include("recordwarden.core.urls")),
    path("accounts/", include("recordwarden.accounts.urls")),
    path("records/", include("recordwarden.records.urls")),
    path("portal/", include("recordwarden.intake.urls")),
    path("policy/", include("recordwarden.policy.urls")),
    path("matching/", include("recordwarden.matching.urls")),
    path("review/", include("recordwarden.review.urls")),
    path("disclosure/", include("recordwarden.disclosure.urls")),
    path("audit/", include("recordwarden.audit.urls")),
    path("transparency/", include("recordwarden.transparency.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "recordwarden.core.errors.bad_request"
handler403 = "recordwarden.core.errors.forbidden"
handler404 = "recordwarden.core.errors.not_found"
handler500 = "recordwarden.core.errors.server_error"
