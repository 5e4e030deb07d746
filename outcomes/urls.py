from django.urls import path

from outcomes.views import follow_up, following, public

app_name = "outcomes"

urlpatterns = [
    path("consultations/<slug:slug>/outcome/", public.report, name="report"),
    path("consultations/<slug:slug>/outcome/data.csv", public.data_csv, name="data_csv"),
    path("consultations/<slug:slug>/outcome/data.json", public.data_json, name="data_json"),
    path("commitments/", public.tracker, name="tracker"),
    path("follow-up/<str:token>/", follow_up.survey, name="follow_up"),
    path("follow/<str:signature>/", following.follow_commitments, name="follow"),
]
