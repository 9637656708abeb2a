# ruff: noqa: F811 -- the fixtures are imported from register_support, not a shared conftest.py
"""Two officers issuing at the same moment never take the same number (PostgreSQL: the counter
row's lock makes the second wait for the first)."""

import threading

import pytest
from django.db import connection

from giaoban.documents import services
from giaoban.documents.models import Document, RegisterCounter
from giaoban.documents.tests.register_support import (  # noqa: F401 (fixtures)
    _english,
    _media,
    board,
    draft_for,
    head,
    layout,
)
from giaoban.orgs.models import Role
from giaoban.orgs.testing import make_user

OFFICERS = 8


def at_once(work, arguments) -> list:
    """`work(argument)` in one thread per argument, all released together; what each returned or
    raised, in the order of the arguments."""
    start, outcomes = threading.Barrier(len(arguments)), [None] * len(arguments)

    def run(i, argument):
        try:
            start.wait()
            outcomes[i] = work(argument)
        except Exception as exc:  # the test reads what each thread met
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_officers_issuing_at_the_same_moment_take_one_number_each(tree, board, head):
    officers = [make_user(f"officer{i}", board, Role.OFFICER) for i in range(OFFICERS)]
    drafts = [draft_for(board, officer) for officer in officers]

    def issue(pair):
        officer, doc = pair
        return services.issue(user=officer, doc=doc, signer=head).number

    numbers = at_once(issue, list(zip(officers, drafts, strict=True)))
    assert all(isinstance(n, int) for n in numbers), numbers  # none refused or crashed
    assert sorted(numbers) == list(range(1, OFFICERS + 1)), numbers
    assert RegisterCounter.objects.get().last == OFFICERS
    assert Document.objects.filter(status="issued").count() == OFFICERS


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_draft_issued_twice_at_the_same_moment_is_issued_once(tree, board, head):
    officers = [make_user(f"officer{i}", board, Role.OFFICER) for i in range(2)]
    doc = draft_for(board, officers[0])

    def issue(officer):
        return services.issue(user=officer, doc=doc, signer=head).number

    outcomes = at_once(issue, officers)
    numbers = [o for o in outcomes if isinstance(o, int)]
    refusals = [o for o in outcomes if isinstance(o, services.ApplicationError)]
    assert (numbers, len(refusals)) == ([1], 1), outcomes
    assert RegisterCounter.objects.get().last == 1
