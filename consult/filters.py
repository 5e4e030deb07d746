"""The filters of the public consultation list, shared by the page and the API."""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from consult import queries
from consult.models import PUBLIC_STATES, Consultation, Region, State, TargetGroup, Topic


def _language_choices() -> list[tuple[str, str]]:
    """Each language named in itself, so people find their own."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class ConsultationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        help_text=_("Words from the title or summary, in any language."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    topic = django_filters.ModelChoiceFilter(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("All topics"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="slug",
        empty_label=_("All regions"),
    )
    target_group = django_filters.ModelChoiceFilter(
        label=_("Who it is for"),
        field_name="target_groups",
        queryset=TargetGroup.objects.all(),
        to_field_name="slug",
        empty_label=_("Everyone"),
    )
    state = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(state.value, state.label) for state in State if state in PUBLIC_STATES],
        empty_label=_("Any status"),
    )
    language = django_filters.ChoiceFilter(
        label=_("Written in"),
        choices=_language_choices(),
        method="filter_language",
        empty_label=_("Any language"),
    )

    class Meta:
        model = Consultation
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queries.search(queryset, value)

    def filter_language(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queries.with_content_in(queryset, value)
