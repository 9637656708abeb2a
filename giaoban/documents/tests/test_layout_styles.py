"""Which style a document takes: its system's guidance in force on its date of issue."""

from datetime import date

import pytest
from django.utils import timezone, translation

from giaoban.core.errors import ApplicationError
from giaoban.documents.paper import System
from giaoban.documents.styles import (
    BUILT_IN,
    PARTY_05,
    PARTY_36,
    STATE_30,
    style_for,
)


def test_the_party_guidance_changes_on_27_may_2026():
    assert style_for(System.PARTY, date(2026, 5, 26)) is PARTY_36
    assert style_for(System.PARTY, date(2026, 5, 27)) is PARTY_05
    assert style_for(System.PARTY, date(2021, 10, 8)) is PARTY_36


def test_a_draft_without_a_date_takes_todays_rules():
    today = timezone.localdate()
    assert style_for(System.PARTY) is style_for(System.PARTY, today)
    assert style_for(System.PARTY).effective_from <= today


def test_a_date_before_the_first_known_guidance_takes_that_guidance():
    assert style_for(System.STATE, date(2019, 1, 1)) is STATE_30


def test_every_system_has_a_style_and_each_style_knows_its_start():
    for system in (System.PARTY, System.STATE, System.FRONT, System.YOUTH):
        assert style_for(system, date(2026, 12, 1)).system == system
    assert len({s.key for s in BUILT_IN}) == len(BUILT_IN)
    assert all(s.effective_from and s.source for s in BUILT_IN)


def test_an_unknown_system_is_refused_in_vietnamese():
    with translation.override("vi"), pytest.raises(ApplicationError) as refused:
        style_for("union-of-nowhere", date(2026, 1, 1))
    assert refused.value.message.startswith("Không có hệ thống văn bản “union-of-nowhere”")
    assert refused.value.field == "system"
