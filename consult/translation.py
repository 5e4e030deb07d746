from modeltranslation.translator import TranslationOptions, register

from consult.models import (
    Attachment,
    Choice,
    Consultation,
    Event,
    Question,
    Region,
    Section,
    TargetGroup,
    Topic,
)


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "easy_read")
    required_languages = {"en": ("title", "summary")}


@register(TargetGroup)
@register(Topic)
@register(Region)
class NameTranslation(TranslationOptions):
    fields = ("name",)


@register(Attachment)
class AttachmentTranslation(TranslationOptions):
    fields = ("title", "text_alternative")


@register(Section)
class SectionTranslation(TranslationOptions):
    fields = ("title", "intro")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "help_text")


@register(Choice)
class ChoiceTranslation(TranslationOptions):
    fields = ("label",)


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "accessibility")
