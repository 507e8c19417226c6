"""What the benchmarks that stand a site up share: a free port, and a scratch PostgreSQL
database made fresh under a name of the benchmark's own and dropped after."""

import socket
import urllib.parse


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _admin(url: urllib.parse.SplitResult) -> str:
    return urllib.parse.urlunsplit(url._replace(path="/postgres"))


def fresh_database(server_url: str, name: str) -> str:
    """The database `name` on the server, empty (dropped first if a run left it behind)."""
    import psycopg  # noqa: PLC0415  (PostgreSQL benchmarks only)

    url = urllib.parse.urlsplit(server_url.replace("postgresql+psycopg://", "postgresql://"))
    with psycopg.connect(_admin(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urllib.parse.urlunsplit(url._replace(path=f"/{name}"))


def drop_database(database_url: str) -> None:
    """Drop a database fresh_database made."""
    import psycopg  # noqa: PLC0415  (PostgreSQL benchmarks only)

    url = urllib.parse.urlsplit(database_url)
    with psycopg.connect(_admin(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.path.lstrip("/")}" WITH (FORCE)')
