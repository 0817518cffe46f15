import pytest

from dscli.globalopts import build_parser, main_help, split_global_args


@pytest.mark.parametrize("argv, head, rest", [
    ([], [], []),
    (["--debug", "project", "ls"], ["--debug"], ["project", "ls"]),
    (["--server-url", "http://h", "project", "ls", "--debug"],
     ["--server-url", "http://h"], ["project", "ls", "--debug"]),
    (["--server-url=http://h", "version"], ["--server-url=http://h"], ["version"]),
    (["run", "-p", "P", "python", "x.py", "--help"], [], ["run", "-p", "P", "python", "x.py", "--help"]),
])
def test_global_options_stop_at_the_command(argv, head, rest):
    assert split_global_args(argv) == (head, rest)


def test_global_parser_leaves_the_command_alone():
    options, remainder = build_parser("1.0").parse_known_args(["--debug", "project", "ls", "-q", "--debug"])
    assert options.debug and remainder == ["project", "ls", "-q", "--debug"]


def test_global_usage_error_is_one_line(capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser("1.0").parse_known_args(["--bogus", "x"])
    assert exit_info.value.code == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_main_help_names_plugin_distributions():
    text = main_help("1.0", {"hello world": {"summary": "Say hello", "dist": "ds-hello-plugin"},
                             "version": {"summary": "Show the version", "dist": "dscli"}})
    assert "  hello world    Say hello (ds-hello-plugin)\n" in text
    assert "  version        Show the version\n" in text
