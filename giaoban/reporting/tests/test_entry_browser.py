"""The report form's check as the user types, in headless Chromium: once refused (the session
renewed in another tab, so this form's CSRF token is old) it asks no more. Every refused check
would count against the user's session (core/offenders.py) and, from the third, slow every page
of that user for minutes."""

import pytest
from django.urls import reverse

from giaoban.orgs.testing import PASSWORD
from giaoban.reporting.tests.test_pages import report  # noqa: F401
from giaoban.testing.browser import chromium, log_in, need_browser

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_check_as_you_type_stops_once_refused(report, bob, live_server):  # noqa: F811
    need_browser()
    check = reverse("reporting:report_check", args=[report.pk])
    with chromium() as browser:
        context = browser.new_context(base_url=live_server.url, locale="vi-VN")
        page = context.new_page()
        log_in(page, bob.username, PASSWORD)
        page.goto(reverse("reporting:report_detail", args=[report.pk]))
        answers = []
        page.on("response", lambda r: answers.append(r.status) if check in r.url else None)
        with page.expect_response(lambda r: check in r.url):
            page.fill("[name=v_dialogues_held]", "3")
        assert answers == [200]
        # The CSRF cookie renewed elsewhere: this form's token no longer matches it.
        csrf = next(c for c in context.cookies() if c["name"] == "csrftoken")
        context.add_cookies([{**csrf, "value": "x" * 32}])
        with page.expect_response(lambda r: check in r.url):
            page.fill("[name=v_dialogues_held]", "4")
        for figure in ("5", "6", "7"):
            page.fill("[name=v_dialogues_held]", figure)
            page.wait_for_timeout(700)  # past the form's 400 ms pause: a check would have gone
        context.close()
    assert answers == [200, 403]
