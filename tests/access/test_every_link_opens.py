"""Every link a page shows its user opens for that user: over the demo company, each demo user
follows every link from the workbench on, as someone clicking through would.

A link to a page the user may not open (403) or to something outside their scope (404) is a
dead end on the screen; a 500 is a bug. Downloads are left out: the page matrix and the export
tests open them.
"""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from salesdesk.cli import main

pytestmark = pytest.mark.django_db(transaction=True)

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)')
DEMO_USERS = ("manager", "assistant", "assistant2", "sales", "sales2", "warehouse", "finance")
NOT_FOLLOWED = ("/static/", "/logout", "/i18n/", "/api/", "/admin/")
DOWNLOADS = (".xlsx", ".pdf", ".csv")
PAGES_PER_USER = 400
VARIANTS_PER_PAGE = 3  # filters and page numbers of one address: a few show what all do


def _links(html: str, page: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        href = urljoin(page, unescape(href))  # "?day=" is the page itself with another filter
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(NOT_FOLLOWED) or parts.path.endswith(DOWNLOADS) or "format=" in parts.query:
            continue
        found.append(href)
    return found


def _dead_ends(client: Client) -> list[tuple[str, str, int]]:
    """Each link that did not open: (the page showing it, the link, its status)."""
    seen, variants = {"/"}, {}
    queue = deque([("", "/")])
    dead = []
    while queue and len(seen) <= PAGES_PER_USER:
        shown_on, url = queue.popleft()
        answer = client.get(url)
        if answer.status_code in (301, 302):
            continue  # a redirect is the page choosing where to go: its target is a link too
        if answer.status_code != 200:
            dead.append((shown_on, url, answer.status_code))
            continue
        if "text/html" not in answer.get("Content-Type", ""):
            continue
        for link in _links(answer.content.decode(), url):
            path = urlsplit(link).path
            if link in seen or variants.get(path, 0) >= VARIANTS_PER_PAGE:
                continue
            seen.add(link)
            variants[path] = variants.get(path, 0) + 1
            queue.append((url, link))
    return dead


def test_every_link_a_page_shows_opens_for_its_user():
    main(["demo"])
    dead = {}
    for username in DEMO_USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        if found := _dead_ends(client):
            dead[username] = found
    assert dead == {}
