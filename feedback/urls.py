from django.urls import path

from feedback.views import citizen

app_name = "feedback"

private = "<slug:slug>/r/<str:token>/"

urlpatterns = [
    path("<slug:slug>/", citizen.start, name="start"),
    path(private, citizen.resume, name="resume"),
    path(f"{private}section/<int:number>/", citizen.section, name="section"),
    path(f"{private}about-you/", citizen.about_you, name="about_you"),
    path(f"{private}contact/", citizen.contact, name="contact"),
    path(f"{private}check/", citizen.check, name="check"),
    path(f"{private}done/", citizen.done, name="done"),
    path(f"{private}withdraw/", citizen.withdraw, name="withdraw"),
    path(f"{private}confirm/<str:signature>/", citizen.confirm_email, name="confirm_email"),
]
