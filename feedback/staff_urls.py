from django.urls import path

from feedback.views import staff

app_name = "feedback_staff"

urlpatterns = [
    path("<int:pk>/", staff.overview, name="overview"),
    path("<int:pk>/new/", staff.assist, name="assist"),
    path("<int:pk>/preview/", staff.preview, name="preview"),
    path("<int:pk>/import/", staff.import_csv, name="import"),
    path("<int:pk>/import/template.csv", staff.import_template, name="import_template"),
]
