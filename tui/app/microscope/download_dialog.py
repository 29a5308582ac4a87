"""Download users (or groups): write a point's users and their latest user properties to a CSV file.

The dialog states that the values are the latest ones, not those at event
time, and whether the export cap cuts the list. It asks for confirmation before replacing an
existing file. While the file is written a progress bar moves, and Escape
cancels the export, which then leaves no file behind.

For a point counted by a group type, the users CSV has a row per group
and user, and the note says so. ``GroupsDownloadDialog`` is the same dialog
for the groups of such a point, writing the groups CSV.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import platformdirs
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import ProgressBar

from tui.analytics.export import (
    GROUP_ROWS_NOUN,
    NOTICE,
    DestinationExistsError,
    ExportResult,
    cap_warning,
    export_cap,
    export_users,
    user_row_count,
    users_notice,
    writes_group_rows,
)
from tui.analytics.groups import groups_csv, point_group_count
from tui.analytics.microscope.actor_set import Target
from tui.app.confirm import ConfirmScreen
from tui.app.formatting import quantity_text
from tui.app.microscope.form_dialog import Field, FormDialog
from tui.app.microscope.header import PointHeader
from tui.app.microscope.jobs import effective_settings, project_on
from tui.store.project import Project


def default_file_name(today: date | None = None, noun: str = "users") -> str:
    """Return the file the dialog suggests: ``loupe-users-YYYY-MM-DD.csv`` (or ``loupe-groups-…``) in ``download_folder()``.

    When that file exists, as after a second download on one day, the name
    gets ``-2``, ``-3`` and so on, so the suggestion is a file that does not
    exist yet. A folder inside the home folder is written with ``~``, which
    ``resolve_path`` expands, so the field stays short.
    """
    path = free_path(download_folder() / f"loupe-{noun}-{(today or date.today()).isoformat()}.csv")
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except (ValueError, RuntimeError):
        # Outside the home folder, or no home folder is known.
        return str(path)


def free_path(path: Path) -> Path:
    """Return ``path``, or when it exists the first of ``STEM-2.SUFFIX``, ``STEM-3.SUFFIX``, … that does not exist.

    NOTE: another program may create the file before the download writes it.
    The dialog then requests confirmation before replacing it.
    """
    candidate, number = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        number += 1
    return candidate


def download_folder() -> Path:
    """Return the folder downloads go to unless the user types another: Downloads if it exists, else home.

    Downloads is platformdirs' ``user_downloads_dir()``, which on Linux honours
    the XDG user-dirs file. The working folder is the last resort, because
    after set-up it is often the repository checkout.
    """
    for folder in (platformdirs.user_downloads_dir, Path.home):
        try:
            path = Path(folder())
        except RuntimeError:
            # Both raise it when no home folder can be found.
            continue
        if path.is_dir():
            return path
    return Path.cwd()


def resolve_path(text: str) -> Path:
    """Return the file ``text`` names as an absolute path: ``~`` expanded, relative to the working folder."""
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else Path.cwd() / path


class DownloadDialog(FormDialog):
    """The dialog that exports the users of ``target`` (a Point or an ActorSet); returns the ExportResult."""

    # The footer names the key by the button's word, so ctrl+s reads as what it does here.
    BINDINGS = [
        Binding("ctrl+s", "submit", "Download", id="form.submit", tooltip="Write the CSV file"),
    ]
    title_text = "Download users"
    submit_label = "Download"
    noun = "users"
    # The text above the count. The users CSV contains the latest user properties.
    notice = NOTICE

    def __init__(self, project: Project, target: Target, settings: Any):
        super().__init__(project, target, settings)
        # The file the user agreed to replace; any other existing file is asked about first.
        self.replace_path: Path | None = None
        self.cancelled = threading.Event()
        # What the count and the cap count: the noun, or rows when a row is one group and one user.
        self.row_noun = self.noun
        if self.writes_group_rows():
            self.notice = users_notice(target)
            self.row_noun = GROUP_ROWS_NOUN

    def writes_group_rows(self) -> bool:
        """Tell whether each row of the download is one group of the point and one of its users."""
        return writes_group_rows(self.target)

    def fields(self) -> list[Field]:
        return [Field("download-path", "File", "where to write the CSV file", default_file_name(noun=self.noun))]

    def below_fields(self) -> ComposeResult:
        bar = ProgressBar(show_eta=False, id="download-progress")
        bar.display = False
        yield bar

    def on_mount(self) -> None:
        # FormDialog.on_mount runs too: Textual calls the handler of every class in the hierarchy.
        self.show_note(self._with_notice(f"Counting the {self.row_noun}…", " "))
        failed = lambda error: self.show_note(self._with_notice(f"Counting failed: {error}", " "))  # noqa: E731
        self.start(self._count, self._show_count, failed)

    def count_rows(self, cursor, settings: Any) -> int:
        """Return how many rows the download has before the cap. Runs on a worker."""
        return user_row_count(cursor, self.target, settings)

    def write(self, project: Project, settings: Any, path: Path, **options) -> ExportResult:
        """Write the CSV file; ``options`` are ``overwrite``, ``progress`` and ``cancel``. Runs on a worker."""
        return export_users(project.con, self.target, settings, path, **options)

    def _with_notice(self, text: str | Text, separator: str) -> Text:
        return Text.assemble(self.notice, separator, text) if self.notice else Text.assemble(text)

    def _count(self, cursor) -> tuple[int, int]:
        settings = effective_settings(project_on(self.project, cursor), self.settings)
        return self.count_rows(cursor, settings), export_cap(settings)

    def _show_count(self, count: tuple[int, int]) -> None:
        rows, cap = count
        noun = self.row_noun
        if rows > cap:
            cut = f"The export cap of {cap:,} {noun} cuts the list: {rows - cap:,} of {rows:,} {noun} are left out."
            limit = Text(cut, style="bold")
        else:
            limit = Text(f"{quantity_text(rows, noun)} will be written (export cap {cap:,}).")
        self.show_note(self._with_notice(limit, "\n"))

    # Writing ----------------------------------------------------------------

    def out_path(self) -> Path | None:
        """Return the typed file as an absolute path, or None after saying that it is missing."""
        text = self.query_one("#download-path").value
        if not text.strip():
            self.show_error("Type the file to write, such as users.csv.")
            return None
        return resolve_path(text)

    def action_submit(self) -> None:
        path = self.out_path()
        if path is None or self.query_one("#form-submit").disabled:
            return
        if path.exists() and not path.is_dir() and path != self.replace_path:
            self._ask_to_replace(path)
            return
        super().action_submit()

    def _ask_to_replace(self, path: Path) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.replace_path = path
                self.action_submit()
            else:
                self.show_error("The file was left as it is: type another file name.")

        self.app.push_screen(ConfirmScreen(f"{path} already exists. Replace it? (y/n)"), answered)

    def save(self, project: Project, values: dict[str, str]) -> ExportResult:
        path = resolve_path(values["download-path"])
        settings = effective_settings(project, self.settings)
        self.app.call_from_thread(self._show_progress, 0, 0)
        return self.write(
            project, settings, path,
            overwrite=path == self.replace_path,
            progress=lambda done, total: self.app.call_from_thread(self._show_progress, done, total),
            cancel=self.cancelled.is_set,
        )

    def _show_progress(self, done: int, total: int) -> None:
        if not self.is_attached:
            return
        bar = self.query_one("#download-progress", ProgressBar)
        bar.display = True
        if total:
            bar.update(total=total, progress=done)

    def saved(self, result: ExportResult) -> None:
        self.app.notify(
            f"Wrote {quantity_text(result.rows, result.noun)} to {result.path}.", title="Download finished", markup=False
        )
        warning = cap_warning(result)
        if warning:
            self.app.notify(warning, title="Export cap reached", severity="warning", markup=False)
        self.dismiss(result)

    def _save_failed(self, error: Exception) -> None:
        self.query_one("#download-progress", ProgressBar).display = False
        super()._save_failed(error)
        path = self.out_path()
        if isinstance(error, DestinationExistsError) and path is not None:
            # The file appeared after the dialog checked.
            self._ask_to_replace(path)

    def action_close(self) -> None:
        if self.save_job is not None and self.save_job.running:
            # The export checks this flag and interrupts its own cursor; it then removes its partial file.
            self.cancelled.set()
            self.app.notify("Download cancelled: no file was written.", markup=False)
        super().action_close()


class GroupsDownloadDialog(DownloadDialog):
    """The dialog that writes the groups CSV of ``target``: a Point of a chart counted by a group type, or a GroupSet."""

    title_text = "Download groups"
    noun = "groups"
    notice = "Columns: group_id, group_name, first_time (Unix seconds), creator_id."

    def writes_group_rows(self) -> bool:
        # Each row is one group, without its users.
        return False

    def header(self) -> PointHeader:
        # The banner's list is the groups counted below, not the point's users.
        return PointHeader(self.project, self.target, self.settings, count_list=False, noun="groups")

    def count_rows(self, cursor, settings: Any) -> int:
        return point_group_count(cursor, self.target, settings)

    def _show_count(self, count: tuple[int, int]) -> None:
        self.query_one(PointHeader).set_list_count(count[0])
        super()._show_count(count)

    def write(self, project: Project, settings: Any, path: Path, **options) -> ExportResult:
        return groups_csv(project.con, self.target, settings, path, **options)
