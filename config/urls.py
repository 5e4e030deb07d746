from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("consultations/", include("consult.urls")),
    path("take-part/", include("feedback.urls")),
    path("staff/", include("accounts.urls")),
    path("staff/consultations/", include("consult.staff_urls")),
    path("staff/responses/", include("feedback.staff_urls")),
    path("messages/", include("notifications.urls")),
    path("staff/analysis/", include("outcomes.staff_urls")),
    path("", include("outcomes.urls")),
)
