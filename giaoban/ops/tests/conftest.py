import pytest

from giaoban.ops.tests.helpers import PostgresCluster, own_postgres, own_redis  # noqa: F401


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL cluster of these tests' own, shared by the tests that only need scratch
    databases in it (whatever server the rest of the suite runs on, or none)."""
    cluster = PostgresCluster().init()
    yield cluster.url
    cluster.remove()
