from django.urls import path

from consult.feeds import NewConsultationsFeed
from consult.views import public

app_name = "consult"

urlpatterns = [
    path("", public.consultation_list, name="list"),
    path("feed/", NewConsultationsFeed(), name="feed"),
    path("<slug:slug>/", public.consultation_detail, name="detail"),
    path("<slug:slug>/easy-read/", public.consultation_easy_read, name="easy_read"),
    path("<slug:slug>/documents/<int:pk>/", public.attachment_download, name="attachment"),
]
