from datetime import datetime, timezone

import pytest

from dscli.output import Column, age, machine, plain, size

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("stamp, expected", [
    ("2026-11-25T12:00:00Z", "just now"),
    ("2026-11-25T11:59:59.5Z", "just now"),
    ("2026-11-25T11:59:59Z", "1 second ago"),
    ("2026-11-25T11:57:00Z", "3 minutes ago"),
    ("2026-11-25T11:00:00Z", "1 hour ago"),
    ("2026-11-23T12:00:00Z", "2 days ago"),
    ("2026-10-01T12:00:00Z", "1 month ago"),
    ("2024-11-25T12:00:00Z", "2 years ago"),
    ("2026-11-25T12:05:00Z", "just now"),
    (None, ""),
    ("not a time", "not a time"),
])
def test_age_reads_like_a_person_would_say_it(stamp, expected):
    assert age(stamp, now=NOW) == expected


@pytest.mark.parametrize("count, expected", [
    (None, ""), (0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (1_200_000, "1.2 MB"), (4 * 10**9, "4.0 GB"),
    (5 * 10**15, "5000.0 TB"),
])
def test_size_is_human(count, expected):
    assert size(count) == expected


def test_plain_joins_lists_and_dicts():
    assert plain(["a", "b"]) == "a, b"
    assert plain({"k": 1}) == "k=1"
    assert plain(None) == ""


def test_machine_values_stay_raw_except_flattened_for_csv():
    assert machine([1, 2], "json") == [1, 2]
    assert machine({"b": 1, "a": [2]}, "csv") == '{"a":[2],"b":1}'
    assert machine(3, "csv") == 3


def test_column_matches_header_or_api_field():
    column = Column("RUNNING TASKS", "running_tasks")
    assert column.matches("RUNNING TASKS") and column.matches("running_tasks") and column.matches("running-tasks")
    assert not column.matches("tasks")


def test_ignore_rules_unit():
    from dscli.workspace import ignore

    rules = list(ignore.DEFAULT_RULES) + ignore.parse("*.csv\n-keep.csv\n# c\n\nsub/raw\n", "")
    assert ignore.is_ignored(rules, ".hidden") and ignore.is_ignored(rules, "a/b.csv")
    assert not ignore.is_ignored(rules, "a/keep.csv") and not ignore.is_ignored(rules, "a.txt")
    assert ignore.is_ignored(rules, "sub/raw") and not ignore.is_ignored(rules, "other/sub/raw")
    below = rules + ignore.parse("-*.csv\n", "deep")
    assert not ignore.is_ignored(below, "deep/x.csv") and ignore.is_ignored(below, "shallow/x.csv")


def test_unreadable_file_is_a_usage_error_naming_it(tmp_path, monkeypatch):
    import pytest

    from dscli.errors import UsageError
    from dscli.workspace import manifest

    (tmp_path / "secret.txt").write_text("x")

    def refuse(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(manifest, "sha256_of", refuse)
    with pytest.raises(UsageError, match="secret.txt"):
        manifest.scan(tmp_path, lambda message: None)
