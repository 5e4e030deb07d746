from django.urls import path

from consult.views import staff

app_name = "consult_staff"

urlpatterns = [
    path("", staff.consultation_list, name="list"),
    path("new/", staff.consultation_create, name="create"),
    path("<int:pk>/", staff.consultation_detail, name="detail"),
    path("<int:pk>/edit/", staff.consultation_edit, name="edit"),
    path("<int:pk>/audit/", staff.consultation_audit, name="audit"),
    path("<int:pk>/extend/", staff.consultation_extend, name="extend"),
    path("<int:pk>/do/<slug:action>/", staff.consultation_transition, name="transition"),
    path("<int:pk>/sections/new/", staff.section_edit, name="section_add"),
    path("<int:pk>/sections/<int:section_pk>/", staff.section_edit, name="section_edit"),
    path(
        "<int:pk>/sections/<int:section_pk>/questions/new/",
        staff.question_edit,
        name="question_add",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/questions/<int:question_pk>/",
        staff.question_edit,
        name="question_edit",
    ),
    path("<int:pk>/events/new/", staff.event_edit, name="event_add"),
    path("<int:pk>/events/<int:event_pk>/", staff.event_edit, name="event_edit"),
    path("<int:pk>/documents/new/", staff.attachment_add, name="attachment_add"),
    path("<int:pk>/<slug:kind>/<int:item_pk>/delete/", staff.item_delete, name="delete"),
    path("<int:pk>/<slug:kind>/<int:item_pk>/move/<slug:direction>/", staff.item_move, name="move"),
]
