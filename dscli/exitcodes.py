"""The exit statuses of ``ds``, named once (documented in docs/exit-codes.md)."""

from enum import IntEnum


class ExitStatus(IntEnum):
    SUCCESS = 0
    #: the hub refused or failed the request (bad password, conflict, ...)
    ERROR = 1
    #: bad arguments or input, caught before anything was sent
    USAGE = 2
    #: the named resource does not exist (or is not yours)
    NOT_FOUND = 3
    #: no credentials for this hub, or the hub rejected them
    NOT_LOGGED_IN = 4
    #: the hub could not be reached
    UNREACHABLE = 5
    #: interrupted by Ctrl+C
    INTERRUPTED = 130
