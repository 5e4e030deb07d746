"""Template helpers shared by every app: the language switcher and accessible fields."""

from django import forms, template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()

GROUPED_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict[str, object]]:
    """One link per language, each to the same page in that language, named in itself."""
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    return [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]


@register.filter
def is_grouped(field: forms.BoundField) -> bool:
    """True for inputs that need a fieldset and legend (radios, checkbox lists)."""
    return isinstance(field.field.widget, GROUPED_WIDGETS)


@register.filter
def is_checkbox(field: forms.BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def anchor(field: forms.BoundField) -> str:
    """The id an error-summary link should jump to: the first input of a group."""
    if is_grouped(field):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.simple_tag
def render_widget(field: forms.BoundField) -> str:
    """The widget, tied to its hint and error with aria-describedby."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {}
    if described and not is_grouped(field):
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    css = field.field.widget.attrs.get("class", "")
    if field.errors and not is_grouped(field):
        attrs["class"] = f"{css} input--error".strip()
    return field.as_widget(attrs=attrs)


@register.filter
def describedby(field: forms.BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)
