"""docs/deploy.md and deploy/ stay in step with the code: every environment variable the
settings read is documented and in the example file, and every shipped file is described."""

import re

from giaoban.ops.tests.helpers import ROOT

READERS = r"(?:env_\w+|url_or_none|url_list|environ\.get|getenv)\(\s*\"([A-Z][A-Z0-9_]*)\""


def _variables() -> set[str]:
    sources = [ROOT / "giaoban" / "settings.py", ROOT / "giaoban" / "config.py"]
    for app in ("core", "ops"):
        sources += (ROOT / "giaoban" / app / "management" / "commands").glob("*.py")
    found = set()
    for source in sources:
        found |= set(re.findall(READERS, source.read_text()))
    return found - {"DJANGO_SETTINGS_MODULE"}


def test_every_environment_variable_is_documented_and_in_the_example():
    variables = _variables()
    assert {"DATABASE_URL", "REDIS_URL", "LOG_FORMAT", "PORT"} <= variables
    guide = (ROOT / "docs" / "deploy.md").read_text()
    example = (ROOT / "deploy" / "giaoban.env.example").read_text()
    assert not {v for v in variables if f"`{v}`" not in guide}, "missing in docs/deploy.md"
    assert not {v for v in variables if not re.search(rf"^#?{v}=", example, re.M)}, (
        "missing in deploy/giaoban.env.example"
    )


def test_every_shipped_file_is_described():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    shipped = [p for p in (ROOT / "deploy").rglob("*") if p.is_file()]
    assert len(shipped) >= 8
    for path in shipped:
        named = path.relative_to(ROOT).as_posix()
        assert named in guide or path.name in guide, f"{named} is not in docs/deploy.md"


def test_the_readme_documents_every_variable_make_and_its_scripts_read():
    makefile = (ROOT / "Makefile").read_text()
    variables = set(re.findall(r"^([A-Z][A-Z0-9_]*) \?=", makefile, re.M))
    for script in (ROOT / "scripts").glob("*.sh"):
        variables |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):-", script.read_text()))
    assert {"PORT", "JANUS_PORT", "TEST_DATABASE_URL", "CI"} <= variables
    readme = (ROOT / "README.md").read_text()
    assert not {v for v in variables if f"`{v}`" not in readme}, "missing in README.md"


def test_the_readme_lists_every_demo_login():
    from giaoban.meetings.demo import OPERATOR_LOGINS
    from giaoban.orgs.demo.scenario import DEMO_USERS

    logins = [user.username for user in DEMO_USERS] + list(OPERATOR_LOGINS.values())
    assert len(logins) == 15
    readme = (ROOT / "README.md").read_text()
    assert not [login for login in logins if f"| `{login}` |" not in readme]


def test_the_readme_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in quick.splitlines()] == [["make", "demo"], ["make", "test"]]
