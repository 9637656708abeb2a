from giaoban.ops.tests.helpers import own_postgres, own_redis  # noqa: F401 - fixtures
