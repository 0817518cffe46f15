"""The rules of .dotscience-ignore files (see docs/workspace.md).

- Names starting with ``.`` are ignored by default (the rule ``.*`` at the top).
- Each line of a ``.dotscience-ignore`` in a directory D that is neither blank
  nor starts with ``#`` is a glob pattern for files and directories in D and
  beneath it; ``-PATTERN`` cancels: what PATTERN matches is uploaded again.
- A pattern without ``/`` is matched against the **base name** of each file or
  directory; a pattern with ``/`` against the **path relative to D**.
- Rules are read from the top directory down, in file order, and the **last
  rule that matches decides** (so ``-.*`` lets hidden files through, and a
  subdirectory's ``-*.csv`` un-ignores CSVs ignored higher up, only beneath it).
- An ignored directory is not entered: rules cannot un-ignore files inside it.

Globs are wcmatch's, with braces: ``*``, ``?``, ``{A,B}``, ``\\X``,
``[a-z0-9\\-_]``, ``[!a-z]``; ``*`` and ``?`` don't match a leading ``.``.
"""

from __future__ import annotations

from dataclasses import dataclass

from wcmatch import fnmatch, glob

IGNORE_FILE = ".dotscience-ignore"
_NAME_FLAGS = fnmatch.BRACE
_PATH_FLAGS = glob.BRACE | glob.GLOBSTAR


@dataclass(frozen=True)
class Rule:
    pattern: str
    base: str  # the directory of the ignore file, relative to the top ('' for the top)
    cancel: bool

    def matches(self, rel_path: str) -> bool:
        if self.base:
            if not rel_path.startswith(self.base + "/"):
                return False
            rel_path = rel_path[len(self.base) + 1:]
        if "/" in self.pattern:
            return glob.globmatch(rel_path, self.pattern.strip("/"), flags=_PATH_FLAGS)
        return fnmatch.fnmatch(rel_path.rsplit("/", 1)[-1], self.pattern, flags=_NAME_FLAGS)


DEFAULT_RULES = (Rule(".*", "", cancel=False),)


def parse(text: str, base: str) -> list[Rule]:
    rules = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        cancel = line.startswith("-")
        pattern = line[1:] if cancel else line
        if pattern:
            rules.append(Rule(pattern, base, cancel))
    return rules


def is_ignored(rules: list[Rule] | tuple[Rule, ...], rel_path: str) -> bool:
    ignored = False
    for rule in rules:
        if rule.matches(rel_path):
            ignored = not rule.cancel
    return ignored
