from django.urls import path

from outlets import views

app_name = "outlets"

urlpatterns = [
    path("", views.OutletListView.as_view(), name="outlet_list"),
    path("<int:pk>/", views.OutletDetailView.as_view(), name="outlet_detail"),
]
