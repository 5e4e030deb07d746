"""An Atom feed of newly published consultations, in the URL's language."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from consult import queries
from consult.models import Consultation


class NewConsultationsFeed(Feed):
    feed_type = Atom1Feed
    title = _("New consultations on Suara")
    subtitle = _("Public consultations, newest first.")

    def link(self) -> str:
        return reverse("consult:list")

    def items(self):
        return queries.recent_public()

    def item_title(self, item: Consultation) -> str:
        return item.title

    def item_description(self, item: Consultation) -> str:
        return item.summary

    def item_pubdate(self, item: Consultation):
        return item.first_published_at or item.created_at

    def item_updateddate(self, item: Consultation):
        return item.updated_at

    def item_author_name(self, item: Consultation) -> str:
        return item.organisation.name
