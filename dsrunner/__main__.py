"""``python -m dsrunner``: the same as the ``ds-runner`` console script."""

from dsrunner.cli import main

raise SystemExit(main())
