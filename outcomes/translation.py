from modeltranslation.translator import TranslationOptions, register

from outcomes.models import Commitment, CommitmentUpdate, Report, Theme, ThemeResponse


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Report)
class ReportTranslation(TranslationOptions):
    fields = ("summary",)


@register(ThemeResponse)
class ThemeResponseTranslation(TranslationOptions):
    fields = ("what_we_heard", "response")


@register(Commitment)
class CommitmentTranslation(TranslationOptions):
    fields = ("action", "reason")


@register(CommitmentUpdate)
class CommitmentUpdateTranslation(TranslationOptions):
    fields = ("note",)
