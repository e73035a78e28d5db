from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("checkpoint/sign/", views.sign_checkpoint, name="sign-checkpoint"),
    path("checkpoint.txt", views.checkpoint_text, name="checkpoint-text"),
    path("verifier-key.txt", views.verifier_key_text, name="verifier-key-text"),
]
