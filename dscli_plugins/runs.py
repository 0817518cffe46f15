"""ds runs: the runs (metrics) the dotscience library published in a project."""

from __future__ import annotations

import argparse
from urllib.parse import quote

from dscli.commands import Column, Inspector, Lister
from dscli.output import MACHINE_FORMATS, age
from dscli_plugins.project import project_path

PARAMETERS_WIDTH = 40


def number_or_text(value):
    """The library writes every value as text: numbers become numbers, so they sort and chart as such."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    return value


def short_parameters(parameters: dict | None) -> str:
    text = ", ".join(f"{k}={v}" for k, v in sorted((parameters or {}).items()))
    return text if len(text) <= PARAMETERS_WIDTH else text[:PARAMETERS_WIDTH - 1] + "…"


def flat_run(run: dict, summary_type: str) -> dict:
    """One row a spreadsheet or pandas can take: parameters.X and summary.X columns, numbers as numbers."""
    row = {
        "id": run["id"],
        "description": run.get("description"),
        "task_id": run.get("task_id"),
        "score": number_or_text((run.get("summary") or {}).get(summary_type)),
        "created_at": run.get("created_at"),
        "start": run.get("start"),
        "end": run.get("end"),
        "workspace_version": run.get("workspace_version"),
        "parameters": run.get("parameters") or {},
    }
    for prefix in ("parameters", "summary"):
        for key, value in sorted((run.get(prefix) or {}).items()):
            row[f"{prefix}.{key}"] = number_or_text(value)
    return row


COLUMNS = (
    Column("ID", "id"),
    Column("DESCRIPTION", "description"),
    Column("TASK", "task_id", lambda task: (task or "")[:12]),
    Column("PARAMETERS", "parameters", short_parameters),
    Column("SCORE", "score"),
    Column("AGE", "created_at", age),
)


class ListRuns(Lister):
    """List the runs of a project that have a summary statistic, with its value as SCORE"""

    columns = COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--summary-type", metavar="SUMMARY",
                            help="the summary statistic to list and score by (default: the most common one)")
        parser.add_argument("project", metavar="PROJECT", help="a project name or ID")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        params = {"summary_type": parsed_args.summary_type} if parsed_args.summary_type else None
        answer = self.client.get(project_path(parsed_args.project) + "/runs", params=params)
        chosen = answer["summary_type"]
        if not parsed_args.summary_type and chosen:
            self.app.stderr.write(f"ds: scoring by the summary statistic '{chosen}' (the most common one; "
                                  "choose with --summary-type)\n")
        rows = [flat_run(run, chosen) for run in answer["runs"]]
        if parsed_args.formatter in MACHINE_FORMATS:  # the parameters.X fields already hold them
            for row in rows:
                row.pop("parameters")
        return rows


class InspectRun(Inspector):
    """Print the full details of runs, as JSON in the run metadata format"""

    columns = COLUMNS

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--project", required=True, metavar="PROJECT", help="a project name or ID")
        parser.add_argument("runs", nargs="+", metavar="RUN", help="a run ID, or a unique prefix of one")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> list[dict]:
        base = project_path(parsed_args.project) + "/runs/"
        return [self.client.get(base + quote(ref, safe="")) for ref in parsed_args.runs]
