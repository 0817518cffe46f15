"""ds itself: version, help, unknown commands, server URL, login and errors."""

from __future__ import annotations

import importlib.metadata
import json
import stat

from tests.functional.conftest import PASSWORD
from tests.lib.processes import free_port

VERSION = importlib.metadata.version("dscli")


def test_version_prints_the_manual_line(ds):
    expected = f"Dotscience command-line tool version: {VERSION}\n"
    assert ds.ok("version").stdout == expected
    assert ds.ok("--version").stdout == expected


def test_help_lists_every_command_with_its_summary(ds):
    out = ds.ok("--help").stdout
    assert out == ds.ok("help").stdout == ds.ok().stdout
    for line in ("  project ls ", "List your projects", "  version ", "  login ", "  set server-url "):
        assert line in out
    assert "Display the version of the Dotscience command-line tool" in out


def test_help_command_and_dash_dash_help_give_the_same_text(ds):
    for words in (["version"], ["project", "ls"], ["login"]):
        via_help = ds.ok("help", *words).stdout
        assert via_help == ds.ok(*words, "--help").stdout
        assert via_help.startswith(f"usage: ds {' '.join(words)}")
    assert "Display the version of the Dotscience command-line tool" in ds.ok("help", "version").stdout


def test_unknown_command_is_one_line_with_a_suggestion(ds):
    result = ds("projet", "ls")
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["ds: 'projet ls' is not a ds command; did you mean 'project ls'? "
                                          "See 'ds --help'."]


def test_group_without_subcommand_lists_the_subcommands(ds):
    result = ds("project")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "project ls" in result.stderr


def test_bad_option_is_one_line_exit_2(ds):
    result = ds("project", "ls", "--no-such-flag")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "--no-such-flag" in result.stderr


def test_set_server_url_saves_scheme_and_host(ds):
    assert ds.ok("set", "server-url", "https://hub.example.com:8443/").stdout.strip().endswith(
        "https://hub.example.com:8443")
    config = json.loads((ds.config_dir / "config.json").read_text())
    assert config["server_url"] == "https://hub.example.com:8443"


def test_set_server_url_refuses_path_query_or_missing_scheme(ds):
    for bad in ("hub.example.com", "http://hub.example.com/app", "http://hub.example.com?x=1",
                "ftp://hub.example.com", "http://hub.example.com:99999"):
        result = ds("set", "server-url", bad)
        assert result.returncode == 2, bad
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("ds: "), result.stderr
        assert not (ds.config_dir / "config.json").exists()


def test_unreachable_hub_is_one_line_exit_5_and_debug_shows_traceback(make_ds):
    url = f"http://127.0.0.1:{free_port()}"
    ds = make_ds(server_url=None)
    ds.env["DS_TOKEN"] = "some-key"  # credentials, so ds gets as far as calling the hub
    result = ds("--server-url", url, "project", "ls")
    assert result.returncode == 5
    assert result.stderr == f"ds: cannot reach the hub at {url} — is it running? (ds set server-url URL)\n"
    debug = ds("--debug", "--server-url", url, "project", "ls")
    assert debug.returncode == 5 and "Traceback" in debug.stderr


def test_dotscience_url_overrides_the_saved_server(make_ds, hub):
    ds = make_ds(server_url=None)
    ds.ok("set", "server-url", f"http://127.0.0.1:{free_port()}")
    result = ds("project", "ls", env={"DOTSCIENCE_URL": hub.url})
    assert result.returncode == 4 and hub.url in result.stderr  # reached the hub, not the saved URL


def test_not_logged_in_says_how_to_log_in(ds, hub):
    result = ds("project", "ls")
    assert result.returncode == 4
    assert result.stderr == f"ds: not logged in to {hub.url}: run ds login USER\n"


def test_login_keeps_the_key_in_a_private_file_when_there_is_no_keyring(ds, new_user, hub):
    user = new_user()
    result = ds.login(user, PASSWORD)
    assert result.stdout == "Authenticated successfully.\n"
    assert len(result.stderr.splitlines()) == 1 and "keyring" in result.stderr
    store = ds.config_dir / "credentials.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    entry = json.loads(store.read_text())[hub.url]
    assert entry["username"] == user and entry["api_key"] and PASSWORD not in store.read_text()
    ds.ok("project", "ls")


def test_login_with_wrong_password_stores_nothing(ds, new_user):
    result = ds("login", new_user(), "--password-stdin", input="wrong\n")
    assert result.returncode == 1
    assert result.stderr == "ds: invalid username or password\n"
    assert not (ds.config_dir / "credentials.json").exists()


def test_login_without_terminal_or_stdin_flag_is_a_usage_error(ds, new_user):
    result = ds("login", new_user())
    assert result.returncode == 2 and "--password-stdin" in result.stderr


def test_logout_forgets_and_revokes_the_key(alice, hub):
    key = json.loads((alice.config_dir / "credentials.json").read_text())[hub.url]["api_key"]
    assert alice.ok("logout").stdout == f"Logged out of {hub.url}.\n"
    assert hub.url not in json.loads((alice.config_dir / "credentials.json").read_text())
    assert alice("project", "ls").returncode == 4
    revoked = alice("project", "ls", env={"DS_TOKEN": key})
    assert revoked.returncode == 4


def test_dotscience_username_and_password_env_work_without_login(ds, new_user):
    user = new_user()
    env = {"DOTSCIENCE_USERNAME": user, "DOTSCIENCE_PASSWORD": PASSWORD}
    project_id = ds.ok("project", "create", "from-ci", env=env).stdout.strip()
    assert ds.ok("project", "ls", "-f", "json", env=env).json[0]["id"] == project_id
    # ds login takes them too, without a prompt
    assert ds.ok("login", env=env).stdout == "Authenticated successfully.\n"


def test_ds_token_env_authenticates_with_a_bearer_key(alice, hub, make_ds):
    key = json.loads((alice.config_dir / "credentials.json").read_text())[hub.url]["api_key"]
    other = make_ds()
    assert other.ok("project", "ls", env={"DS_TOKEN": key}).stdout


def test_complete_prints_a_bash_script_with_the_commands(ds):
    out = ds.ok("complete").stdout
    assert "_ds()" in out and "project" in out and "ls" in out and "server-url" in out
