"""ds-hub: run a hub, and manage its users.

    ds-hub up      the embedded default: SQLite in a data dir, an admin user, serve
    ds-hub serve   serve a hub on SQLite or PostgreSQL (--db URL)
    ds-hub user create NAME
    ds-hub migrate
"""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import secrets
import signal
import socket
import sys
import traceback
from typing import NoReturn

from dshub.core.config import DEFAULT_HOST, DEFAULT_PORT, Settings


class HubError(Exception):
    """A failure reported as one line on stderr."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


def _storage_args(parser: argparse.ArgumentParser, db: bool = True) -> None:
    parser.add_argument("--data-dir", help="where the hub keeps its data (default: $DSHUB_DATA_DIR or "
                                           "~/.local/share/dshub)")
    if db:
        parser.add_argument("--db", dest="database_url", metavar="URL",
                            help="database URL (default: $DSHUB_DATABASE_URL or SQLite in the data dir), "
                                 "e.g. postgresql+psycopg://user:pass@127.0.0.1/dshub")


def _port(value: str) -> int:
    # Checked here: socket.bind() reports an out-of-range port as OverflowError, not OSError.
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {port} is not between 0 and 65535")
    return port


def _net_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"port (default {DEFAULT_PORT}; 0 picks a free one, which the listening line shows)")


def build_parser() -> argparse.ArgumentParser:
    # --debug is accepted before and after the command; SUPPRESS keeps a subcommand's default from
    # overwriting a --debug given before it.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    parser = _Parser(prog="ds-hub", description="Run a Dotscience hub and manage its users.", parents=[debug])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=functools.partial(_Parser, parents=[debug]))
    commands.required = True

    up = commands.add_parser("up", help="run the embedded hub: SQLite in a data dir, an admin user")
    _storage_args(up, db=False)
    _net_args(up)
    up.add_argument("--admin-password", help="the admin user's password on first start "
                                             "(default: $DSHUB_ADMIN_PASSWORD, else generated and printed)")
    up.add_argument("--no-runner", action="store_true", help="don't start the local process runner")

    serve = commands.add_parser("serve", help="run a hub")
    _storage_args(serve)
    _net_args(serve)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    _storage_args(migrate)

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", metavar="COMMAND",
                                        parser_class=functools.partial(_Parser, parents=[debug]))
    user_commands.required = True
    create = user_commands.add_parser("create", help="create a user")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    _storage_args(create)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    try:
        settings = Settings.from_args(args.data_dir, getattr(args, "database_url", None),
                                      getattr(args, "host", DEFAULT_HOST), getattr(args, "port", DEFAULT_PORT))
    except ValueError as exc:  # a bad setting in the environment
        raise HubError(str(exc)) from exc
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HubError(f"cannot use the data dir {settings.data_dir}: {exc.strerror or exc}") from exc
    if not os.access(settings.data_dir, os.W_OK):
        raise HubError(f"cannot write to the data dir {settings.data_dir}")
    return settings


def _engine(settings: Settings):
    """An engine on the settings' database, its schema brought up to date."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

    from dshub import db

    url = settings.database_url
    try:
        engine = db.make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:  # ValueError: e.g. a port that is no number
        raise HubError(f"bad database URL {_safe_url(url)!r}: {exc}") from exc
    except ImportError as exc:  # e.g. postgresql:// means psycopg2, which the hub extra does not install
        raise HubError(f"no driver for the database URL {_safe_url(url)!r} ({exc}): "
                       "for PostgreSQL use postgresql+psycopg://") from exc
    try:
        db.upgrade(engine)
    except DBAPIError as exc:  # the driver's own message, without SQLAlchemy's SQL dump and links
        raise HubError(f"cannot use the database: {_first_line(exc.orig)}") from exc
    except SQLAlchemyError as exc:
        raise HubError(f"cannot use the database: {_first_line(exc)}") from exc
    return engine


def _safe_url(url: str) -> str:
    """URL with its password masked (error lines end up in logs)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        scheme, sep, _ = url.partition("://")
        return f"{scheme}://..." if sep else "..."


def _first_line(exc: BaseException | None) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise HubError("no terminal to ask for the password on: use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password (again): ") != first:
        raise HubError("the passwords differ")
    return first


def cmd_user_create(args: argparse.Namespace) -> int:
    from dshub import db
    from dshub.users import UserError, create_user

    engine = _engine(_settings(args))
    password = _read_password(args.password_stdin)
    with db.session_factory(engine)() as session:
        try:
            create_user(session, args.name, password)
        except UserError as exc:
            raise HubError(str(exc)) from None
    print(f"Created user '{args.name}'.")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    _engine(_settings(args))
    print("The database is up to date.")
    return 0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it, a response written in two
    # parts waits ~40 ms for the client's delayed ACK (Nagle's algorithm).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
        # Listening now makes the "listening" line true when printed: connections made
        # before uvicorn starts accepting wait in the backlog instead of being refused.
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise HubError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


def _serve(settings: Settings, runner_token: str | None = None) -> int:
    from dshub.app import create_app
    from dshub.localrunner import LocalRunner
    from dshub.server import HubServer

    sock = _bind(settings.host, settings.port)
    settings.port = sock.getsockname()[1]  # the port the system chose for --port 0
    app = create_app(settings, migrate=False)
    server = HubServer(app, app.state.stopping)
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    url = f"http://{host}:{settings.port}"
    print(f"dshub listening on {url}", flush=True)
    runner = LocalRunner(url, runner_token, settings.data_dir / "runner", server) if runner_token else None
    if runner:
        server.before_shutdown.append(runner.stop)
        runner.start_when_serving()
    # After a graceful shutdown uvicorn raises the signal that caused it again, for the handler
    # that was there before. Python's default for SIGTERM would kill the process on the spot,
    # before the `finally` below stops the local runner: this one lets `ds-hub` end normally
    # (exit 0), and stops the server if SIGTERM comes before uvicorn has installed its own.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: setattr(server, "should_exit", True))
    try:
        server.run(sockets=[sock])
    finally:
        if runner:
            runner.stop()  # in case the server failed before its shutdown; a no-op otherwise
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _engine(settings).dispose()  # the app opens its own
    return _serve(settings)


def cmd_up(args: argparse.Namespace) -> int:
    from dshub import db
    from dshub.users import UserError, create_user, user_exists

    settings = _settings(args)
    engine = _engine(settings)
    password = args.admin_password or os.environ.get("DSHUB_ADMIN_PASSWORD")
    with db.session_factory(engine)() as session:
        if not user_exists(session, "admin"):
            chosen = password or secrets.token_urlsafe(12)
            try:
                create_user(session, "admin", chosen)
            except UserError as exc:
                raise HubError(str(exc)) from None
            if not password:
                print(f"Created user 'admin' with password: {chosen}", flush=True)
            else:
                print("Created user 'admin'.", flush=True)
        token = None if args.no_runner else local_runner_token(session, settings)
    engine.dispose()
    return _serve(settings, token)


def local_runner_token(session, settings: Settings) -> str:
    """The token of admin's runner 'local', kept in the data dir (0600) across restarts."""
    import json

    from sqlalchemy import select

    from dshub.api.routes.runners import create_runner
    from dshub.core.security import hash_api_key
    from dshub.models import Runner, User
    from dshub.schemas import RunnerIn

    path = settings.data_dir / "local-runner.json"
    try:
        token = json.loads(path.read_text())["token"]
        if session.scalar(select(Runner.id).where(Runner.token_hash == hash_api_key(token))):
            return token
    except (OSError, ValueError, KeyError):
        pass
    admin = session.scalar(select(User).where(User.name == "admin"))
    _, token = create_runner(session, admin.id, RunnerIn(name="local", description="started by ds-hub up"))
    path.touch(mode=0o600)
    path.write_text(json.dumps({"token": token}))
    return token


COMMANDS = {"up": cmd_up, "serve": cmd_serve, "migrate": cmd_migrate}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = cmd_user_create if args.command == "user" else COMMANDS[args.command]
    debug = getattr(args, "debug", False)
    try:
        return handler(args)
    except HubError as exc:
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"ds-hub: {exc}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug, or a failure nobody foresaw: still one line without --debug
        if debug:
            traceback.print_exc()
        sys.stderr.write(f"ds-hub: unexpected error: {type(exc).__name__}: {_first_line(exc)} "
                         f"(run with --debug for the traceback)\n")
        return 1
