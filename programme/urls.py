from django.urls import path

from programme import views

app_name = "programme"

urlpatterns = [
    path("goals/", views.goals_list, name="goals"),
    path("goals/<int:year>/", views.goals_edit, name="goals_edit"),
    path(
        "outlets/<int:outlet_pk>/investments/",
        views.investment_list,
        name="investment_list",
    ),
    path(
        "outlets/<int:outlet_pk>/investments/new/",
        views.investment_create,
        name="investment_create",
    ),
    path("investments/<int:pk>/", views.investment_update, name="investment_update"),
]
