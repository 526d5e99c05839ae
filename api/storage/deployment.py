"""Whether a configuration names an existing deployment. Admin commands (`bootstrap-link`,
`backup`, `migrate`, `collect-garbage`) ask this first: pointed at a data folder that does not
exist, a database that is not there or holds no Paravent schema, they say so and stop instead
of creating an empty deployment (only the server, on its first start, and `restore` do)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from api.config import Config
from api.storage.engine import connect
from api.storage.faults import database_error_types
from api.storage.migrations import schema_version

HOW_TO_NAME = ("name the deployment with --config FILE (or --data, --database, --blocks as the "
               "server runs with)")


def shown_database(url: str) -> str:
    """The database URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def deployment_problem(config: Config, *, needs_organization: bool) -> str | None:
    """Why `config` does not name an existing deployment (one with an organization, when
    `needs_organization`), or None."""
    if not config.data_dir.is_dir():
        return f"the data folder {config.data_dir} does not exist; {HOW_TO_NAME}"
    url = config.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite://")).is_file():
        return f"no Paravent database at {url.removeprefix('sqlite://')}; {HOW_TO_NAME}"
    try:
        db = connect(config.database_url)
        try:
            version = schema_version(db)
            organizations = version and db.execute(
                "select count(*) from organizations").fetchone()[0]
        finally:
            db.close()
    except database_error_types() as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else error
        return f"cannot open the database {shown_database(config.database_url)}: {first_line}"
    if not version:
        return (f"the database {shown_database(config.database_url)} holds no Paravent "
                f"deployment (the server never started on it); {HOW_TO_NAME}")
    if needs_organization and not organizations:
        return (f"the deployment on {shown_database(config.database_url)} holds no organization "
                "yet: nothing to do")
    return None
