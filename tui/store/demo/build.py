"""Build the demo project: generate events, import them through the real importer, add markers.

The project is built in a temporary folder beside its destination and moved
into place with one rename, so a crash or Ctrl+C never leaves half a demo.
"""
# NOTE: a build killed outright (SIGKILL, power loss) leaves its hidden
# ``.NAME.*.building`` folder beside the destination; nothing removes it later.

from __future__ import annotations

import itertools
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tui.paths import demo_project_path
from tui.store.demo import product
from tui.store.demo.block import SCHEMA
from tui.store.demo.generator import block_count, generate_events
from tui.store.importing import ImportSummary, import_files
from tui.store.project import Project, create_project
from tui.store.saved_charts import save_chart

log = logging.getLogger(__name__)

DEFAULT_EVENTS = 300_000
DEFAULT_SEED = 7
DEMO_AUTHOR = "Loupe demo"
# The Parquet columns already carry Loupe's names; naming them keeps the import from guessing.
MAPPING = {name: name for name in ("event_type", "event_time", "user_id", "device_id", "session_id", "insert_id")}

# Blocks of actors imported together, so memory stays bounded at any size. A part of 4 blocks is
# about a million events. Measured with DuckDB 2.0.1 on 2 shared cores: `loupe demo` peaked at
# 2.7 GB for 1 million events and 3.6 GB for 10 million, against 18 GB when 10 million went in
# as one import.
PART_BLOCKS = 4

# progress(stage, done, total) counts blocks of actors: stage "generate" when a block's events
# are generated, stage "import" when they are in the project.
Progress = Callable[[str, int, int], None]


def build_demo_project(
    path: str | Path, n_events: int = DEFAULT_EVENTS, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> Path:
    """Build a demo project of about ``n_events`` events at ``path``, replacing any file there, and return the path."""
    built_path, _ = build_demo_project_with_summary(path, n_events, seed, progress)
    return built_path


def build_demo_project_with_summary(
    path: str | Path, n_events: int = DEFAULT_EVENTS, seed: int = DEFAULT_SEED, progress: Progress | None = None
) -> tuple[Path, ImportSummary]:
    """Build the demo project like ``build_demo_project`` and also return the import summary."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda stage, done, total: None)
    work_dir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".building", dir=path.parent))
    try:
        project_file = work_dir / path.name
        with create_project(project_file) as project:
            summary = import_demo_events(project, work_dir, n_events, seed, report)
            add_markers(project)
            add_saved_charts(project)
            project.con.execute("CHECKPOINT")
        # A write-ahead log left beside the old file by a crashed writer would be replayed onto the new one.
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(project_file, path)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    log.info("built demo project %s: %d events, seed %d", path, summary.imported, seed)
    return path, summary


def ensure_demo_project(path: str | Path | None = None, progress: Progress | None = None) -> Path:
    """Return the demo project's path, building the default demo there first if the file is missing."""
    path = Path(path) if path is not None else demo_project_path()
    if not path.exists():
        log.info("demo project %s missing; building it", path)
        build_demo_project(path, progress=progress)
    return path


def import_demo_events(
    project: Project, work_dir: Path, n_events: int, seed: int, progress: Progress
) -> ImportSummary:
    """Generate the events and import them part by part, each part one Parquet file and one import.

    Every actor's events lie in one block, so no actor spans two parts and the
    parts' user counts add up.
    """
    n_blocks = block_count(n_events)
    tables = _reporting(generate_events(n_events, seed), progress, n_blocks)
    summaries = []
    for part in range(-(-n_blocks // PART_BLOCKS)):
        events_file = work_dir / f"loupe-demo-events-{part + 1}.parquet"
        write_events_file(events_file, itertools.islice(tables, PART_BLOCKS))
        summaries.append(import_files(project, [events_file], format="parquet", mapping=MAPPING))
        events_file.unlink()
        progress("import", min((part + 1) * PART_BLOCKS, n_blocks), n_blocks)
    return _merged(summaries)


def write_events_file(file: Path, tables: Iterable[pa.Table]) -> int:
    """Write event tables to a Parquet file, one row group per table, and return how many tables it wrote."""
    written = 0
    with pq.ParquetWriter(file, SCHEMA, compression="zstd") as writer:
        for table in tables:
            writer.write_table(table)
            written += 1
    return written


def _reporting(tables: Iterator[pa.Table], progress: Progress, total: int) -> Iterator[pa.Table]:
    for done, table in enumerate(tables, start=1):
        progress("generate", done, total)
        yield table


def _merged(summaries: list[ImportSummary]) -> ImportSummary:
    """Add up the summaries of the parts' imports into one."""
    first_times = [item.first_time for item in summaries if item.first_time]
    last_times = [item.last_time for item in summaries if item.last_time]
    return ImportSummary(
        files=[file for item in summaries for file in item.files],
        format=summaries[0].format,
        read=sum(item.read for item in summaries),
        imported=sum(item.imported for item in summaries),
        duplicates=sum(item.duplicates for item in summaries),
        skipped=sum(item.skipped for item in summaries),
        rejected=[rejection for item in summaries for rejection in item.rejected],
        rejected_count=sum(item.rejected_count for item in summaries),
        users=sum(item.users for item in summaries),
        first_time=min(first_times, default=None),
        last_time=max(last_times, default=None),
        time_fields=summaries[0].time_fields,
        import_id=summaries[-1].import_id,
    )


def add_markers(project: Project) -> None:
    """Record the app releases shipped in the range and the email campaign's annotation."""
    ship_days = {version: day for version, day, _ in product.VERSIONS}
    for version, title, description in product.RELEASES:
        day = product.FIRST_DAY + timedelta(days=ship_days[version])
        project.con.execute(
            "INSERT INTO releases (release_id, version, title, description, first_day, last_day, platforms, "
            "created_by, created_at) VALUES (nextval('object_ids'), ?, ?, ?, ?, ?, ?, ?, ?)",
            [version, title, description, day, day, list(product.PLATFORMS), DEMO_AUTHOR, _noon_utc(day)],
        )

    label, details = product.ANNOTATION
    day = product.FIRST_DAY + timedelta(days=product.CAMPAIGN_DAY)
    project.con.execute(
        "INSERT INTO annotations (annotation_id, label, details, day, chart_name, created_by, created_at) "
        "VALUES (nextval('object_ids'), ?, ?, ?, NULL, ?, ?)",
        [label, details, day, DEMO_AUTHOR, _noon_utc(day)],
    )


def add_saved_charts(project: Project) -> None:
    """Save a few charts that tell the demo's story, so the first screen has something to show."""
    whole_range = {"from": product.FIRST_DAY.isoformat(), "to": product.LAST_DAY.isoformat()}
    charts = {
        # A step a new user puts off waits for a later visit, so a week's window counts those users too.
        "Onboarding steps": {
            "type": "funnel",
            "steps": [{"event": name} for name in product.ONBOARDING_STEPS],
            "window": "7d",
            "order": "this",
            "interval": "day",
            "range": whole_range,
        },
        "Daily active users by platform": {
            "type": "segmentation",
            "events": [{"event": "*"}],
            "measure": "uniques",
            "interval": "day",
            "range": whole_range,
            "group_by": "platform",
        },
        "Weekly revenue": {
            "type": "segmentation",
            "events": [{"event": "Purchase"}],
            "measure": "sum:revenue",
            "interval": "week",
            "range": whole_range,
        },
    }
    for name, definition in charts.items():
        save_chart(project.con, name, definition, created_by=DEMO_AUTHOR)


def _noon_utc(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)
