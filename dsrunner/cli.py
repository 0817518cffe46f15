"""``ds-runner``: parse the command line, connect to the hub, run the Agent until a signal."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback
from collections.abc import Sequence

from dsrunner import __version__

PROG = "ds-runner"


def default_work_dir() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "dsrunner")


def parse_label(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"label {text!r} is not KEY=VALUE")
    return key.strip(), value.strip()


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, not argparse's usage block plus message.
        self.exit(2, f"{PROG}: {message} (see {PROG} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Claim tasks from a ds hub, run them, stream their logs and "
                                            "report their results (see docs/runner.md).")
    parser.add_argument("--server", metavar="URL", default=os.environ.get("DS_RUNNER_SERVER"),
                        help="the hub's URL, e.g. http://hub.example:8800 (env DS_RUNNER_SERVER)")
    parser.add_argument("--token", metavar="TOKEN", default=None,
                        help="the runner token `ds runner create` printed (env DS_RUNNER_TOKEN)")
    parser.add_argument("--label", metavar="KEY=VALUE", action="append", type=parse_label, default=[],
                        help="a label of this runner (repeatable); VALUE * satisfies any value the task asks")
    parser.add_argument("--concurrency", metavar="N", type=positive_int, default=1,
                        help="how many tasks to run at once (default 1)")
    parser.add_argument("--work-dir", metavar="DIR", default=None,
                        help="blob cache and task workspaces (default $XDG_DATA_HOME/dsrunner, "
                             "else ~/.local/share/dsrunner)")
    parser.add_argument("--executor", metavar="NAME", default="process",
                        help="how to run commands: an executor plugin name (default process)")
    parser.add_argument("--stop-grace", metavar="SECONDS", type=non_negative_float, default=10.0,
                        help="on a stop request, seconds between SIGTERM and SIGKILL (default 10)")
    parser.add_argument("--job-python", metavar="PYTHON", default=None,
                        help="the Python jobs get as `python` (default: $DSRUNNER_JOB_PYTHON, else the runner's "
                             "own); it should have the dotscience library")
    parser.add_argument("--debug", action="store_true", help="verbose logs and tracebacks on stderr")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, bad arguments (already printed)
        return exc.code if isinstance(exc.code, int) else 2
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO, stream=sys.stderr,
                        format=f"{PROG}: %(message)s" if not args.debug else
                        f"{PROG}: %(asctime)s %(threadName)s %(name)s: %(message)s")
    if not args.debug:
        logging.getLogger("urllib3").setLevel(logging.WARNING)
    if args.job_python:
        if not (os.path.isfile(args.job_python) and os.access(args.job_python, os.X_OK)):
            print(f"{PROG}: --job-python {args.job_python}: not an executable file", file=sys.stderr, flush=True)
            return 2
        os.environ["DSRUNNER_JOB_PYTHON"] = args.job_python
    try:
        return _run(args)
    except _Fail as exc:
        print(f"{PROG}: {exc}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:  # one line unless --debug
        if args.debug:
            traceback.print_exc()
        print(f"{PROG}: {exc}", file=sys.stderr, flush=True)
        return 1


class _Fail(Exception):
    pass


def _run(args: argparse.Namespace) -> int:
    # Imported here so --help and argument errors stay instant.
    from dsrunner import executors
    from dsrunner.agent import Agent
    from dsrunner.api import AgentClient, HubError, HubUnreachable

    token = args.token or os.environ.get("DS_RUNNER_TOKEN")
    if not args.server:
        raise _Fail("no hub URL: pass --server URL")
    if not args.server.startswith(("http://", "https://")):
        raise _Fail(f"--server {args.server!r} is not an http:// or https:// URL")
    if not token:
        raise _Fail("no runner token: pass --token TOKEN or set DS_RUNNER_TOKEN (ds runner create prints one)")
    try:
        executor = executors.load(args.executor)
    except Exception as exc:
        raise _Fail(f"cannot load executor {args.executor!r}: {exc}") from exc
    work_dir = os.path.abspath(args.work_dir or default_work_dir())
    try:
        os.makedirs(work_dir, exist_ok=True)
    except OSError as exc:
        raise _Fail(f"cannot create the work directory {work_dir}: {exc.strerror or exc}") from exc

    client = AgentClient(args.server, token)
    labels = dict(args.label)
    agent = Agent(client, executor, work_dir=work_dir, labels=labels, concurrency=args.concurrency,
                  stop_grace=args.stop_grace)
    try:
        agent.connect()
    except HubUnreachable as exc:
        raise _Fail(f"{exc}: is the hub running, and is --server right?") from exc
    except HubError as exc:
        if exc.status == 401:
            raise _Fail(f"the hub at {args.server} rejected the runner token: {exc.detail}") from exc
        if exc.status == 404:
            raise _Fail(f"{args.server} does not serve the runner API (HTTP 404): is it a ds hub?") from exc
        raise _Fail(f"the hub at {args.server} refused the runner: {exc}") from exc
    except ValueError as exc:  # not JSON
        raise _Fail(f"{args.server} did not answer like a ds hub ({exc})") from exc

    def on_signal(signum: int, _frame: object) -> None:
        logging.getLogger(__name__).info("%s: stopping running tasks and exiting", signal.Signals(signum).name)
        agent.shutdown()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    shown = ", ".join(f"{k}={v}" for k, v in labels.items()) or "none"
    print(f"{PROG}: connected to {client.server} as runner {agent.name}, labels {shown}", flush=True)
    return agent.run()


if __name__ == "__main__":
    sys.exit(main())
