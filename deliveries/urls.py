from django.urls import path

from deliveries import views

app_name = "deliveries"

urlpatterns = [
    path("", views.delivery_list, name="delivery_list"),
    path("new/", views.delivery_form_view, name="delivery_create"),
    path("<int:pk>/", views.delivery_form_view, name="delivery_update"),
    path("monthly/new/", views.monthly_total_form_view, name="total_create"),
    path("monthly/<int:pk>/", views.monthly_total_form_view, name="total_update"),
    path("summary/", views.delivery_summary_view, name="summary"),
    path("summary/export/", views.delivery_summary_export, name="summary_export"),
]
