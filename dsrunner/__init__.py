"""ds-runner: the agent that claims tasks from a hub, runs them and reports back.

It talks to the hub only over HTTP (``/v2/agent/...``, see docs/api.md) and
imports nothing from ``dscli`` or ``dshub``: a runner host needs only this
package and ``requests``.
"""

__version__ = "0.1.0"
