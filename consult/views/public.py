"""Public consultation pages: the list, a consultation, its easy-read version."""

from contextlib import suppress

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import get_language, to_locale
from django.views.decorators.http import require_safe
from redis import RedisError

from accounts import permissions
from consult import queries
from consult.filters import ConsultationFilter
from consult.models import PUBLIC_STATES, Attachment

PAGE_SIZE = 20


@require_safe
def consultation_list(request: HttpRequest) -> HttpResponse:
    filters = ConsultationFilter(request.GET or None, queryset=queries.public_consultations())
    consultations = filters.qs if filters.is_bound and filters.is_valid() else filters.queryset
    page = Paginator(consultations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "consult/public/list.html",
        {
            "filters": filters,
            "form": filters.form,
            "page_obj": page,
            "consultations": queries.mark_fallbacks(list(page.object_list)),
            "page_range": page.paginator.get_elided_page_range(page.number),
            "filtered": filters.is_bound
            and any(value for key, value in request.GET.items() if key != "page"),
        },
    )


@require_safe
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # The most visited page. Visitors without a session all see the same page, so it is
    # rendered once per version of the consultation (see `queries.public_page_version`).
    cacheable = (
        settings.PUBLIC_PAGE_CACHE_SECONDS > 0
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )
    if not cacheable:
        return _consultation_detail(request, slug)
    version = queries.public_page_version(slug)
    if version is None:
        raise Http404
    key = f"consult:detail:{request.scheme}:{request.get_host()}:{get_language()}:{version}"
    try:
        content = cache.get(key)
    except RedisError:  # the page still works while Redis is down, just slower
        content = None
    if content is None:
        response = _consultation_detail(request, slug)
        with suppress(RedisError):
            cache.set(key, response.content, settings.PUBLIC_PAGE_CACHE_SECONDS)
    else:
        response = HttpResponse(content)
    patch_vary_headers(response, ["Cookie"])  # what a session's page would carry
    return response


def _consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = queries.mark_fallbacks(queries.public_consultation(slug))
    return render(
        request,
        "consult/public/detail.html",
        {
            "consultation": consultation,
            "languages": queries.written_in(consultation),
            "page_url": request.build_absolute_uri(consultation.get_absolute_url()),
            "og_locale": to_locale(queries.current_language()),
        },
    )


@require_safe
def consultation_easy_read(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = queries.mark_fallbacks(queries.public_consultation(slug))
    if not consultation.easy_read:
        raise Http404
    return render(request, "consult/public/easy_read.html", {"consultation": consultation})


@require_safe
def attachment_download(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A consultation's document: public once the consultation is, and to its own staff before.

    Served by Django rather than from the media folder, which also holds private uploads.
    """
    attachment = get_object_or_404(
        Attachment.objects.select_related("consultation"), pk=pk, consultation__slug=slug
    )
    consultation = attachment.consultation
    if consultation.state not in PUBLIC_STATES and not permissions.has_role(
        request.user, consultation.organisation_id, permissions.ANY_ROLE
    ):
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, filename=f"{slugify(attachment.title) or 'document'}.{attachment.extension.lower()}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
