"""Encryption at rest for secrets (Fernet: AES-128-CBC + HMAC-SHA256, from cryptography).

The key comes from $DSHUB_SECRET_KEY (a Fernet key), else from
DATA_DIR/secret.key, generated (mode 0600) on first start. Keep that file, or
the variable, safe and backed up: without it the stored secrets cannot be read.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

ENV_KEY = "DSHUB_SECRET_KEY"


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> SecretBox:
        if os.environ.get(ENV_KEY):
            return cls(os.environ[ENV_KEY].encode())
        path = data_dir / "secret.key"
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(Fernet.generate_key())
        return cls(path.read_bytes().strip())

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except InvalidToken:
            raise ValueError("cannot decrypt a stored secret: is this the hub's secret key?") from None
