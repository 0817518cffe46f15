"""SSH keypairs for projects: generation, and which key a task's git checkout gets."""

from __future__ import annotations

import re

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from dshub.models import Secret, Task

KEY_TYPES = ("ed25519", "rsa")
_SSH_URL = re.compile(r"^(ssh://|git\+ssh://|ssh\+git://|[A-Za-z0-9._-]+@[^/:]+:)")


def generate_keypair(key_type: str, comment: str) -> tuple[str, str]:
    """(public key as one OpenSSH line, private key in OpenSSH PEM)."""
    key = ed25519.Ed25519PrivateKey.generate() if key_type == "ed25519" else rsa.generate_private_key(65537, 3072)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return f"{public.decode()} {comment}", private


def is_ssh_url(url: str | None) -> bool:
    return bool(url) and bool(_SSH_URL.match(url))


def key_for_task(session: Session, task: Task) -> Secret | None:
    """The newest SSH secret of the task's project, for an SSH git URL only."""
    if not is_ssh_url(task.repo):
        return None
    return session.scalar(select(Secret).where(Secret.project_id == task.project_id, Secret.owner_id == task.owner_id)
                          .order_by(Secret.created_at.desc(), Secret.id.desc()).limit(1))
