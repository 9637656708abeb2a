"""The site's icon: linked from every page of ours, and at /favicon.ico for the pages that do not
link one (Django's admin, the API docs), so that no browser gets a 404 for it."""

import re

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse


def test_every_page_links_the_icon_and_the_file_is_there(bob):
    logged_in = Client()
    logged_in.force_login(bob)
    for client, page in ((Client(), reverse("login")), (logged_in, reverse("home"))):
        html = client.get(page).content.decode()
        link = re.search(r'<link rel="icon" href="/static/([^"]+)" type="image/svg\+xml">', html)
        assert link, page
        assert finders.find(link.group(1)), link.group(1)


def test_favicon_ico_leads_to_the_icon_without_a_login(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/giaoban/favicon.svg"
    assert finders.find("giaoban/favicon.svg").endswith("favicon.svg")
