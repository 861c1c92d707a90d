"""Where a state lives: paths and postgresql:// URLs, the schema parameter, and masking."""
from __future__ import annotations

from pathlib import Path

import pytest

from kinde_iac.errors import StateError
from kinde_iac.state.location import DEFAULT_SCHEMA, StateLocation, mask_url, parse_location, scrub


def test_a_path_is_a_sqlite_location() -> None:
    for text in ("state/dev.db", "/tmp/x.db", "C:relative.db", Path("a/b.db")):
        location = parse_location(text)
        assert location.path == Path(text) and location.url is None and not location.is_postgres
        assert str(location) == str(Path(text))


@pytest.mark.parametrize("url", ["postgresql://u:pw@db.internal:5433/kinde", "postgres://u:pw@db/kinde"])
def test_a_postgresql_url_keeps_libpq_parameters_and_takes_out_the_schema(url: str) -> None:
    location = parse_location(url + "?sslmode=require&schema=Team_State&application_name=ci")
    assert location.is_postgres and location.path is None
    assert location.schema == "Team_State"
    assert location.url == url + "?sslmode=require&application_name=ci"  # libpq never sees schema=
    assert str(location) == url.replace(":pw@", ":***@") + "?sslmode=require&application_name=ci&schema=Team_State"
    assert "pw" not in str(location) and "pw" not in repr(location)
    assert location.exists()


def test_the_default_schema() -> None:
    location = parse_location("postgresql://ci@db/kinde")
    assert location.schema == DEFAULT_SCHEMA == "kinde_iac"
    assert str(location) == "postgresql://ci@db/kinde"


@pytest.mark.parametrize("text, problem", [
    ("mysql://u:pw@db/kinde", "use a file path or a postgresql:// URL"),
    ("s3://bucket/state.db", "use a file path or a postgresql:// URL"),
    ("postgresql://db/kinde?schema=bad-name", "not a plain identifier"),
    ("postgresql://db/kinde?schema=1abc", "not a plain identifier"),
    ("postgresql://db/kinde?schema=x;drop", "not a plain identifier"),
    ("  ", "empty"),
])
def test_bad_locations_are_one_readable_error(text: str, problem: str) -> None:
    with pytest.raises(StateError, match=problem) as err:
        parse_location(text)
    assert "pw" not in str(err.value)


def test_masking_covers_the_authority_and_a_password_parameter() -> None:
    assert mask_url("postgresql://u:secret@h:5432/d?password=secret&sslmode=require") == \
        "postgresql://u:***@h:5432/d?password=***&sslmode=require"
    assert mask_url("postgresql://u@h/d") == "postgresql://u@h/d"


def test_scrub_removes_every_spelling_of_the_password_from_driver_text() -> None:
    url = "postgresql://u:p%40ss%2Fw@h/d"
    echoed = (f'could not connect using "{url}": password "p@ss/w" rejected, p%40ss%2Fw, '
              f"user=u password=p@ss/w host=h")
    clean = scrub(echoed, url)
    assert "p@ss/w" not in clean and "p%40ss%2Fw" not in clean
    assert "postgresql://u:***@h/d" in clean


def test_a_location_scrubs_only_when_it_has_a_url() -> None:
    assert StateLocation(path=Path("x.db")).scrub("p@ss") == "p@ss"
    assert parse_location("postgresql://u:p%40ss@h/d").scrub("p@ss here") == "*** here"
