from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("intake/", views.intake_desk, name="intake"),
    path(
        "letters/<str:reference>/<int:letter_id>.pdf",
        views.requester_letter,
        name="requester_letter",
    ),
    path(
        "notifications/<int:notification_id>/read",
        views.notification_read,
        name="notification_read",
    ),
    path("<str:reference>/", views.case, name="case"),
    path("<str:reference>/start", views.start, name="start"),
    path("<str:reference>/screen", views.rescreen, name="screen"),
    path("<str:reference>/assign", views.assign, name="assign"),
    path("<str:reference>/decide", views.decide, name="decide"),
    path("<str:reference>/reopen", views.reopen, name="reopen"),
    path("<str:reference>/withdraw", views.withdraw, name="withdraw"),
    path("<str:reference>/decisions/<int:decision_id>/sign", views.sign, name="sign"),
    path(
        "<str:reference>/decisions/<int:decision_id>/return",
        views.return_decision,
        name="return",
    ),
    path(
        "<str:reference>/decisions/<int:decision_id>/letter",
        views.letter_prepare,
        name="letter_prepare",
    ),
    path(
        "<str:reference>/letters/<int:letter_id>.pdf",
        views.letter_download,
        name="letter",
    ),
    path("<str:reference>/tasks/<int:task_id>", views.task_record, name="task"),
]
