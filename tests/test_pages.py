"""Site-wide pages: languages in the URL, the switcher, lang/dir, security headers."""

import re

import pytest
from django.conf import settings

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def test_root_redirects_to_a_language_prefix(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_root_follows_browser_language(client):
    response = client.get("/", headers={"Accept-Language": "ms"})

    assert response["Location"] == "/ms/"


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_home_renders_in_each_language(client, db, code):
    response = client.get(f"/{code}/")

    html = response.content.decode()
    direction = "rtl" if code == "ar" else "ltr"
    assert response.status_code == 200
    assert f'<html lang="{code}" dir="{direction}">' in html


def test_home_is_translated_in_malay(client, db):
    response = client.get("/ms/")

    assert "Perundingan terbuka" in response.content.decode()


def test_language_switcher_keeps_the_page_and_names_each_language_in_itself(client, db):
    response = client.get("/fr/accessibility/")

    html = response.content.decode()
    for code, name in settings.LANGUAGES:
        assert f'href="/{code}/accessibility/" lang="{code}" hreflang="{code}"' in html
        assert f">{name}</a>" in html
    assert 'lang="fr" hreflang="fr" aria-current="true"' in html


def test_pages_send_a_content_security_policy_without_inline_code(client, db):
    response = client.get("/en/")

    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html
    assert " style=" not in html


def test_home_lists_no_consultations_with_an_empty_state(client, db):
    response = client.get("/en/")

    assert "There are no open consultations at the moment" in response.content.decode()


def test_accessibility_statement_is_linked_from_every_page(client, db):
    response = client.get("/ar/")

    assert 'href="/ar/accessibility/"' in response.content.decode()
