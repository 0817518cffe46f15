"""dscli: the ``ds`` command-line tool.

Nothing is imported here on purpose: ``ds --help`` and ``ds --version`` are
served by :mod:`dscli.main` from stdlib modules only.
"""
