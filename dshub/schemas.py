"""What the API accepts and returns (separate from the ORM models)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from pydantic import BaseModel, Field, field_validator

# C0 and C1 controls, and the separators str.splitlines() also breaks lines at.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def iso(value: datetime) -> str:
    """ISO-8601 UTC with microseconds and a Z (SQLite hands back naive UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LoginIn(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class LoginOut(BaseModel):
    username: str
    user_id: str
    api_key: str


class UserOut(BaseModel):
    id: str
    name: str
    created_at: str


class ProjectIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)

    @field_validator("name")
    @classmethod
    def _printable(cls, name: str) -> str:
        if _CONTROL.search(name):
            raise ValueError("must not contain control characters")
        if name != name.strip():
            raise ValueError("must not start or end with spaces")
        return name


class DatasetLink(BaseModel):
    dataset_id: str
    name: str
    path: str


class ProjectOut(BaseModel):
    id: str
    name: str
    owner: str
    dots: int
    collaborators: list[str]
    datasets: list[DatasetLink]
    created_at: str


class Health(BaseModel):
    status: str
    version: str


def iso_or_none(value: datetime | None) -> str | None:
    return iso(value) if value is not None else None


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_LABEL_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")


class RunnerIn(BaseModel):
    name: str | None = Field(default=None, max_length=100)
    description: str = Field(default="", max_length=1000)
    size_gb: int = Field(default=10, ge=1, le=100000)
    type: str = Field(default="cpu", pattern=r"^(cpu|gpu-nvidia-runtime)$")

    @field_validator("name")
    @classmethod
    def _name(cls, name: str | None) -> str | None:
        if name is not None and not _NAME.match(name):
            raise ValueError("use letters, digits, '.', '_' and '-'")
        return name


class RunnerOut(BaseModel):
    id: str
    name: str
    description: str
    type: str
    size_gb: int
    labels: dict[str, str]
    status: str
    running_tasks: int
    last_seen_at: str | None
    created_at: str


class RunnerCreated(RunnerOut):
    token: str


class TaskIn(BaseModel):
    project: str = Field(min_length=1, max_length=100)
    command: list[str] = Field(min_length=1, max_length=10000)
    env: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    image: str | None = Field(default=None, max_length=500)
    repo: str | None = Field(default=None, min_length=1, max_length=2000)
    ref: str | None = Field(default=None, min_length=1, max_length=500)

    @field_validator("repo", "ref")
    @classmethod
    def _git_word(cls, value: str | None) -> str | None:
        if value is not None and (value.startswith("-") or any(c in value for c in "\x00\n\r")):
            raise ValueError("must not start with '-' or hold control characters")
        return value

    @field_validator("env")
    @classmethod
    def _env(cls, env: dict[str, str]) -> dict[str, str]:
        for key, value in env.items():
            if not _ENV_KEY.match(key):
                raise ValueError(f"invalid variable name {key!r}")
            if "\x00" in value:
                raise ValueError(f"the value of {key} holds a NUL byte")
        return env

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for key in labels:
            if not _LABEL_KEY.match(key):
                raise ValueError(f"invalid label name {key!r}")
        return labels

    @field_validator("command")
    @classmethod
    def _command(cls, command: list[str]) -> list[str]:
        if not command[0].strip() or any("\x00" in word for word in command):
            raise ValueError("the command must name a program and hold no NUL bytes")
        return command


class TaskOut(BaseModel):
    id: str
    project_id: str
    project: str
    state: str
    workload: str
    command: list[str]
    env: dict[str, str]
    labels: dict[str, str]
    image: str | None
    repo: str | None
    ref: str | None
    runner_id: str | None
    exit_code: int | None
    reason: str | None
    workspace_version_in: str | None
    workspace_version_out: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None


class RunnerDetail(RunnerOut):
    tasks: list[TaskOut]


class LogEntry(BaseModel):
    seq: int = Field(ge=1)
    ts: str = Field(max_length=40)
    stream: str = Field(pattern=r"^(stdout|stderr|system)$")
    line: str


class LogsIn(BaseModel):
    entries: list[LogEntry] = Field(max_length=100000)


class LogsOut(BaseModel):
    entries: list[LogEntry]
    next: int
    state: str
    done: bool


class Heartbeat(BaseModel):
    labels: dict[str, str] = Field(default_factory=dict)
    concurrency: int = 1
    running: list[str] = Field(default_factory=list)
    executors: list[str] = Field(default_factory=list)
    hostname: str = ""
    version: str = ""


class HeartbeatOut(BaseModel):
    stop: list[str]
    timeout: float
    name: str
    runner_id: str


class ClaimIn(BaseModel):
    labels: dict[str, str] = Field(default_factory=dict)
    wait: float = Field(default=20, ge=0, le=60)


class FileEntry(BaseModel):
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    mode: int = Field(ge=0, le=0o7777)
    mtime: float


class Assignment(BaseModel):
    task: TaskOut
    manifest: dict[str, FileEntry]
    #: the last log seq the hub used for this task: the runner numbers on from it
    log_seq: int
    #: the project's SSH private key, only for a git checkout over SSH (never stored by the runner)
    ssh_key: str | None = None
    #: linked datasets, mounted read-only: [{"path", "dataset_id", "name", "version", "manifest"}]
    datasets: list[dict] = Field(default_factory=list)


class MissingIn(BaseModel):
    sha256: list[str] = Field(max_length=1000000)


class MissingOut(BaseModel):
    missing: list[str]


class Changes(BaseModel):
    put: dict[str, FileEntry] = Field(default_factory=dict)
    delete: list[str] = Field(default_factory=list)


class FinishIn(BaseModel):
    state: str = Field(pattern=r"^(succeeded|failed|stopped)$")
    exit_code: int | None = None
    reason: str | None = Field(default=None, max_length=2000)
    changes: Changes = Field(default_factory=Changes)


class FileOut(BaseModel):
    name: str
    size: int
    last_modified: str
    sha256: str
    mode: int


class FilesOut(BaseModel):
    version_id: str | None
    files: list[FileOut]


class UploadIn(BaseModel):
    files: dict[str, FileEntry] = Field(max_length=1000000)


class VersionOut(BaseModel):
    id: str | None
    files: int


class Stats(BaseModel):
    blobs_received: int
    blob_bytes_received: int
