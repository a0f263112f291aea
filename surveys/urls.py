from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("survey/<int:pk>/", views.survey_answer, name="answer"),
    path("survey/<int:pk>/thanks/", views.survey_thanks, name="thanks"),
    path("survey-questions/", views.question_list, name="questions"),
    path(
        "survey-questions/<int:pk>/retire/",
        views.question_retire,
        name="question_retire",
    ),
    path(
        "survey-questions/<int:pk>/restore/",
        views.question_restore,
        name="question_restore",
    ),
]
