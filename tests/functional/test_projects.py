"""ds project create / ls / inspect / rm against a real hub, in every output format."""

from __future__ import annotations

import csv
import io
import re
import uuid

import yaml

API_KEYS = ["id", "name", "owner", "dots", "collaborators", "datasets", "created_at"]
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def create(ds, name: str) -> str:
    project_id = ds.ok("project", "create", name).stdout.strip()
    uuid.UUID(project_id)
    return project_id


def test_project_create_prints_the_new_id(alice):
    project_id = create(alice, "mnist")
    assert alice.ok("project", "inspect", project_id).json[0]["name"] == "mnist"


def test_project_ls_table_has_the_manual_columns(alice):
    create(alice, "mnist")
    lines = alice.ok("project", "ls").lines
    header = [h.strip() for h in lines[1].strip("|").split("|")]
    assert header == ["ID", "NAME", "DOTS", "COLLABORATORS", "DATASETS", "AGE"]
    row = [c.strip() for c in lines[3].strip("|").split("|")]
    assert row[1] == "mnist" and row[2] == "1"
    assert row[5] == "just now" or row[5].endswith("ago")


def test_project_ls_quiet_prints_names_only(alice):
    create(alice, "a")
    create(alice, "b b")
    assert alice.ok("project", "ls", "-q").stdout == "a\nb b\n"


def test_project_ls_json_uses_api_fields_and_raw_values(alice):
    create(alice, "mnist")
    [project] = alice.ok("project", "ls", "-f", "json").json
    assert list(project) == API_KEYS
    assert project["dots"] == 1 and project["collaborators"] == [] and project["datasets"] == []
    assert ISO_UTC.match(project["created_at"])


def test_project_inspect_is_a_json_array_with_the_same_keys_as_ls(alice):
    project_id = create(alice, "mnist")
    by_id = alice.ok("project", "inspect", project_id).json
    by_name = alice.ok("project", "inspect", "mnist").json
    assert by_id == by_name == alice.ok("project", "ls", "-f", "json").json
    assert isinstance(by_id, list) and list(by_id[0]) == API_KEYS


def test_project_ls_csv_yaml_value_and_columns(alice):
    create(alice, "zeta")
    create(alice, "alpha")
    rows = list(csv.DictReader(io.StringIO(alice.ok("project", "ls", "-f", "csv").stdout)))
    assert [r["name"] for r in rows] == ["zeta", "alpha"] and rows[0]["dots"] == "1"
    assert [p["name"] for p in yaml.safe_load(alice.ok("project", "ls", "-f", "yaml").stdout)] == ["zeta", "alpha"]
    assert alice.ok("project", "ls", "-f", "value", "-c", "NAME", "--sort-column", "NAME").stdout == "alpha\nzeta\n"
    # -c takes the API field name too, and picks the same column in every format
    assert alice.ok("project", "ls", "-f", "value", "-c", "name").stdout == "zeta\nalpha\n"
    assert [list(p) for p in alice.ok("project", "ls", "-f", "json", "-c", "NAME", "-c", "id").json] == [
        ["name", "id"], ["name", "id"]]


def test_project_ls_sorts_descending_by_age(alice):
    create(alice, "first")
    create(alice, "second")
    out = alice.ok("project", "ls", "-f", "value", "-c", "name", "--sort-column", "AGE", "--sort-descending")
    assert out.stdout == "second\nfirst\n"


def test_unknown_column_is_a_usage_error(alice):
    create(alice, "mnist")
    result = alice("project", "ls", "-c", "COLOUR")
    assert result.returncode == 2 and result.stderr.startswith("ds: unknown column 'COLOUR'")


def test_ambiguous_project_name_lists_the_matching_ids(alice):
    first, second = create(alice, "twin"), create(alice, "twin")
    result = alice("project", "inspect", "twin")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1 and first in result.stderr and second in result.stderr
    assert alice.ok("project", "inspect", second).json[0]["id"] == second


def test_project_rm_deletes_by_name_or_id(alice):
    keep = create(alice, "keep")
    gone = create(alice, "gone")
    assert alice.ok("project", "rm", "gone").stdout == f"Deleted project gone ({gone})\n"
    assert [p["id"] for p in alice.ok("project", "ls", "-f", "json").json] == [keep]
    alice.ok("project", "rm", keep)
    assert alice.ok("project", "ls", "-f", "json").json == []


def test_unknown_project_is_one_line_exit_3(alice):
    for command in (("inspect",), ("rm",)):
        result = alice("project", *command, "nope")
        assert result.returncode == 3
        assert result.stderr == "ds: no project named 'nope'\n"


def test_another_users_project_is_invisible(alice, make_ds, new_user):
    from tests.functional.conftest import PASSWORD

    project_id = create(alice, "private")
    bob = make_ds()
    bob.login(new_user(), PASSWORD)
    assert bob.ok("project", "ls", "-f", "json").json == []
    for command in ("inspect", "rm"):
        assert bob("project", command, project_id).returncode == 3
        assert bob("project", command, "private").returncode == 3
    assert alice.ok("project", "inspect", project_id).json[0]["name"] == "private"


def test_project_names_with_slashes_and_spaces_round_trip(alice):
    project_id = create(alice, "team/a b?")
    assert alice.ok("project", "inspect", "team/a b?").json[0]["id"] == project_id


def test_bad_project_name_is_one_line_and_creates_nothing(alice):
    result = alice("project", "create", "x" * 101)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert alice.ok("project", "ls", "-f", "json").json == []
