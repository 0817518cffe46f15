"""The executor plugin contract (entry point group ``dsrunner.executors.v1``).

The agent prepares a task (its workspace is on local disk, its environment
computed), describes it as a ``JobSpec`` and hands it to an ``Executor``, which
starts it and returns a ``Job``. The agent then reads ``Job.stdout`` and
``Job.stderr`` to EOF, calls ``Job.wait()`` and, to stop a task, ``terminate()``
followed after a grace period by ``kill()``.

A plugin is a class with a no-argument constructor, registered in its package's
setup.cfg::

    [options.entry_points]
    dsrunner.executors.v1 =
        docker = mypkg.docker:DockerExecutor

and selected with ``ds-runner --executor docker``. A docker executor, for
example, would bind-mount ``spec.cwd`` into the container, pass ``spec.env``,
run ``spec.command`` in ``spec.image``, expose ``docker run``'s (or the attach
stream's) stdout/stderr as the pipes, and map terminate/kill to
``docker stop``/``docker kill``.

The ``.v1`` in the group name is the version of this contract: an incompatible
change gets a new group, so old plugins are never loaded against a contract
they do not implement.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import IO


@dataclass
class JobSpec:
    """What to run.

    ``command`` is the argv list (not a shell string); ``cwd`` the absolute path
    of the task's materialised workspace on the runner's disk; ``env`` the
    complete environment of the job (the executor adds nothing the agent did not
    put there, except what its isolation needs, e.g. a container's own PATH);
    ``image`` the container image the task asked for, or None for "no image".
    ``task_id`` and ``labels`` are informational (names, container labels).
    """

    command: list[str]
    cwd: str
    env: dict[str, str]
    image: str | None = None
    task_id: str = ""
    labels: dict[str, str] = field(default_factory=dict)


class JobStartError(Exception):
    """The job could not be started; ``str(exc)`` is the reason the task reports.

    For example ``cannot start train.sh: No such file or directory``. The task
    fails with that reason and a null exit code.
    """


class Job(abc.ABC):
    """A running job, as returned by ``Executor.start``.

    ``stdout`` and ``stderr`` are binary, readable file objects (pipes); the
    agent reads each to EOF in its own thread, so an implementation must not
    read them itself. ``pid`` identifies the job for log messages (a host pid,
    or any int that means something to the executor).
    """

    pid: int
    stdout: IO[bytes]
    stderr: IO[bytes]

    @abc.abstractmethod
    def wait(self) -> int:
        """Block until the job has exited; return its exit status.

        0..255 for a normal exit; ``-N`` when killed by signal N (as
        ``subprocess.Popen.returncode`` does). Safe to call more than once.
        After the main process exits, the executor should make sure nothing the
        job started is left running (the process executor kills the job's
        process group).
        """

    @abc.abstractmethod
    def terminate(self) -> None:
        """Ask the job to stop: SIGTERM to every process of the job (its process group).

        Must not raise if the job has already exited. Called from a thread other
        than the one in ``wait()``.
        """

    @abc.abstractmethod
    def kill(self) -> None:
        """Force the job to stop: SIGKILL to every process of the job. Must not raise if it has exited."""


class Executor(abc.ABC):
    """Starts jobs. One instance serves every task of the runner, possibly concurrently.

    ``name`` is what ``--executor`` selects and what the runner reports to the
    hub in its heartbeat's ``executors`` list.
    """

    name: str = ""

    @abc.abstractmethod
    def can_run(self, image: str | None) -> str | None:
        """None if this executor can run a task asking for ``image`` (None: no image).

        Otherwise a one-line reason the task then fails with, e.g. "the process
        executor cannot run images (asked for python:3.11): start a runner with
        an executor that can". Called before the workspace is downloaded.
        """

    @abc.abstractmethod
    def start(self, spec: JobSpec) -> Job:
        """Start ``spec`` and return at once with the running Job.

        Raise JobStartError (with the reason for the user) when it cannot start,
        e.g. the command does not exist.
        """
