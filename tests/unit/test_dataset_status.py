from dscli_plugins.dataset import sync_status


def test_sync_status_reads_like_the_issue_says():
    syncing = {"status": "syncing", "bytes_synced": 1_200_000_000, "bytes_total": 4_000_000_000}
    assert sync_status(syncing) == "syncing 1.2 GB / 4.0 GB (30%)"
    assert sync_status({"status": "syncing", "bytes_synced": 0, "bytes_total": 0}) == "syncing 0 B / 0 B (0%)"
    assert sync_status({"status": "synced"}) == "synced"
    assert sync_status({"status": "error", "error": "no such bucket"}) == "error: no such bucket"
    assert sync_status({"status": "pending"}) == "pending"
