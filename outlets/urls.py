from django.urls import path

from outlets import choice_views, import_views, views

app_name = "outlets"

urlpatterns = [
    path("", views.OutletListView.as_view(), name="outlet_list"),
    path("new/", views.OutletCreateView.as_view(), name="outlet_create"),
    path("<int:pk>/", views.OutletDetailView.as_view(), name="outlet_detail"),
    path("<int:pk>/edit/", views.OutletUpdateView.as_view(), name="outlet_update"),
    path("<int:pk>/close/", views.OutletCloseView.as_view(), name="outlet_close"),
    path(
        "<int:pk>/public-facts/",
        views.OutletPublicFactsView.as_view(),
        name="outlet_public_facts",
    ),
    path("map/", views.MapView.as_view(), name="map"),
    path("crisis/", views.CrisisReadinessView.as_view(), name="crisis_readiness"),
    path(
        "crisis/export/",
        views.CrisisReadinessExportView.as_view(),
        name="crisis_readiness_export",
    ),
    path("localities/", views.LocalityListView.as_view(), name="locality_list"),
    path("localities/new/", views.LocalityCreateView.as_view(), name="locality_create"),
    path(
        "localities/<int:pk>/",
        views.LocalityDetailView.as_view(),
        name="locality_detail",
    ),
    path(
        "localities/<int:pk>/edit/",
        views.LocalityUpdateView.as_view(),
        name="locality_update",
    ),
    path(
        "localities/<int:pk>/choices/new/",
        choice_views.ServicePointChoiceCreateView.as_view(),
        name="service_point_choice_create",
    ),
    path(
        "localities/choices/<int:pk>/edit/",
        choice_views.ServicePointChoiceUpdateView.as_view(),
        name="service_point_choice_update",
    ),
    path("partners/", views.PartnerListView.as_view(), name="partner_list"),
    path("partners/new/", views.PartnerCreateView.as_view(), name="partner_create"),
    path(
        "partners/<int:pk>/", views.PartnerDetailView.as_view(), name="partner_detail"
    ),
    path(
        "partners/<int:pk>/edit/",
        views.PartnerUpdateView.as_view(),
        name="partner_update",
    ),
    # Import and export: outlets/import_views.py.
    path("import/", import_views.OutletImportView.as_view(), name="outlet_import"),
    path(
        "import/<int:pk>/",
        import_views.outlet_import_run,
        name="outlet_import_run",
    ),
    path(
        "import/<int:pk>/confirm/",
        import_views.outlet_import_run_confirm,
        name="outlet_import_run_confirm",
    ),
    path(
        "import/<int:pk>/cancel/",
        import_views.outlet_import_run_cancel,
        name="outlet_import_run_cancel",
    ),
    path(
        "import/history/",
        import_views.OutletImportHistoryView.as_view(),
        name="outlet_import_history",
    ),
    path("export/", import_views.OutletExportView.as_view(), name="outlet_export"),
]
