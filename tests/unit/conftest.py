"""Fixtures for the runner's unit tests: a fake hub and an agent client for it."""

import pytest

from dsrunner.api import AgentClient
from tests.lib.fakehub import TOKEN, FakeHub


@pytest.fixture
def hub():
    fake = FakeHub()
    yield fake
    fake.close()


@pytest.fixture
def client(hub):
    return AgentClient(hub.url, TOKEN, retry_for=5, retry_delay=0.01)
