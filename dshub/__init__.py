"""dshub: the hub ``ds`` talks to (REST API, database, users, projects)."""


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("dscli")
    except PackageNotFoundError:
        return "0+unknown"
