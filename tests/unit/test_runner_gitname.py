import pytest

from dsrunner.git import repo_dir_name


@pytest.mark.parametrize("url, name", [
    ("https://h/x/model.git", "model"),
    ("git@host:team/model.git", "model"),
    ("ssh://git@127.0.0.1:2222/srv/repo.git", "repo"),
    ("file:///tmp/a/b", "b"),
    ("/local/path/proj/", "proj"),
    ("git://127.0.0.1:9418/", "code"),
    ("https://h/.hidden.git", "code"),
    ("https://h/we ird", "code"),
    ("", "code"),
])
def test_repo_dir_name_is_deduced_from_the_url_or_code(url, name):
    assert repo_dir_name(url) == name
