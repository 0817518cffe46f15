"""Errors that ``ds`` reports as one line on stderr with a named exit status."""

from dscli.exitcodes import ExitStatus


class DsError(Exception):
    """A failure the user can act on; its message is the whole report."""

    exit_status = ExitStatus.ERROR

    def __init__(self, message: str, exit_status: ExitStatus | None = None):
        super().__init__(message)
        if exit_status is not None:
            self.exit_status = exit_status


class UsageError(DsError):
    exit_status = ExitStatus.USAGE


class NotFoundError(DsError):
    exit_status = ExitStatus.NOT_FOUND


class NotLoggedInError(DsError):
    exit_status = ExitStatus.NOT_LOGGED_IN


class UnreachableError(DsError):
    exit_status = ExitStatus.UNREACHABLE
