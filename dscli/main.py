"""The ``ds`` console script.

``ds``, ``ds --help``, ``ds help``, ``ds --version`` and ``ds version`` are
answered here from the cached command table (:mod:`dscli.commandtable`),
importing neither cliff nor requests; everything else goes to the cliff
application, which imports only the plugin of the command being run.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return _run(argv)
    except KeyboardInterrupt:
        sys.stderr.write("ds: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (ds ... | head): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


def _run(argv: list[str]) -> int:
    from dscli import commandtable, globalopts

    table = commandtable.load()
    head, rest = globalopts.split_global_args(argv)
    if rest in ([], ["help"], ["version"]):
        options = globalopts.build_parser(table["version"]).parse_args(head)
        if rest == ["version"]:
            sys.stdout.write(globalopts.version_line(table["version"]) + "\n")
            return 0
        if rest == [] or options.deferred_help or rest == ["help"]:
            commandtable.warn_broken(table)
            sys.stdout.write(globalopts.main_help(table["version"], table["commands"]))
            return 0

    from dscli.app import DsApp

    return DsApp(table).run(argv)
