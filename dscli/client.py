"""HubClient: every HTTP call ``ds`` makes goes through here.

It adds credentials, applies timeouts, and turns every failure into a
:class:`dscli.errors.DsError` with one line a person can act on.
"""

from __future__ import annotations

import os
from typing import Any

import requests

from dscli import config, credentials
from dscli.errors import DsError, NotFoundError, NotLoggedInError, UnreachableError, UsageError

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0


class HubClient:
    """A logged-in (or not yet) connection to one hub."""

    def __init__(self, server_url: str, credential: credentials.Credential | None = None,
                 env_login: tuple[str, str] | None = None, token: str | None = None) -> None:
        self.server_url = server_url
        self.credential = credential
        self._env_login = env_login
        self._token = token
        self._env_key: str | None = None
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "dscli"

    @classmethod
    def from_options(cls, options: Any) -> HubClient:
        """Credentials by precedence: $DS_TOKEN, ds login, $DOTSCIENCE_USERNAME/_PASSWORD."""
        url = config.server_url(getattr(options, "server_url", None))
        env_user, env_password = os.environ.get("DOTSCIENCE_USERNAME"), os.environ.get("DOTSCIENCE_PASSWORD")
        return cls(
            url,
            credential=credentials.load(url),
            env_login=(env_user, env_password) if env_user and env_password else None,
            token=os.environ.get("DS_TOKEN") or None,
        )

    # -- authentication -------------------------------------------------
    def _auth(self) -> Any:
        if self._token:
            return _Bearer(self._token)
        if self.credential:
            return (self.credential.username, self.credential.api_key)
        if self._env_login:
            if self._env_key is None:
                user, password = self._env_login
                self._env_key = self.login(user, password)["api_key"]
            return (self._env_login[0], self._env_key)
        raise NotLoggedInError(f"not logged in to {self.server_url}: run ds login USER")

    def login(self, username: str, password: str) -> dict:
        """Trade a password for a new API key: {'username', 'user_id', 'api_key'}."""
        try:
            return self.request("POST", "/v2/auth/login", json={"username": username, "password": password},
                                auth=False)
        except NotLoggedInError as exc:
            raise DsError(str(exc)) from None

    def revoke(self) -> None:
        self.request("DELETE", "/v2/auth/api-key")

    def close(self) -> None:
        if self._env_key:  # a key made for this one run: don't leave it behind
            try:
                self.request("DELETE", "/v2/auth/api-key")
            except DsError:
                pass
        self.session.close()

    # -- requests ---------------------------------------------------------
    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    def put_stream(self, path: str, chunks: Any) -> Any:
        """PUT a body from an iterator of bytes (sent chunked: memory stays flat)."""
        return self.request("PUT", path, data=chunks, timeout=600)

    def post_stream(self, path: str, chunks: Any) -> Any:
        """POST a body from an iterator of bytes (sent chunked: memory stays flat)."""
        return self.request("POST", path, data=chunks, timeout=600)

    def request(self, method: str, path: str, *, json: Any = None, params: dict | None = None,
                auth: bool = True, timeout: float | None = None, data: Any = None) -> Any:
        url = self.server_url + path
        try:
            response = self.session.request(
                method, url, json=json, params=params, data=data,
                auth=self._auth() if auth else None,
                timeout=(CONNECT_TIMEOUT, timeout or READ_TIMEOUT),
            )
        except requests.exceptions.Timeout:
            raise UnreachableError(f"the hub at {self.server_url} did not answer in time") from None
        except requests.exceptions.ConnectionError:
            raise UnreachableError(
                f"cannot reach the hub at {self.server_url} — is it running? (ds set server-url URL)"
            ) from None
        except requests.exceptions.RequestException as exc:
            raise DsError(f"request to {self.server_url} failed: {exc}") from None
        return self._result(response, auth)

    def _result(self, response: requests.Response, auth: bool) -> Any:
        if response.status_code == 204:
            return None
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = None
        if response.ok:
            if body is None and response.content:
                raise DsError(
                    f"unexpected answer from {self.server_url} (HTTP {response.status_code}): is it a ds hub?"
                )
            return body
        detail = body.get("detail") if isinstance(body, dict) else None
        if not isinstance(detail, str) or not detail:
            detail = f"the hub at {self.server_url} answered HTTP {response.status_code} {response.reason}"
        status = response.status_code
        if status == 401:
            if not auth:
                raise NotLoggedInError(detail)
            who = self.credential.username if self.credential else "USER"
            raise NotLoggedInError(
                f"not logged in to {self.server_url} (the hub refused the credentials): run ds login {who}"
            )
        if status == 404:
            raise NotFoundError(detail)
        if status in (400, 422):
            raise UsageError(detail)
        raise DsError(detail)


class _Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r
