"""Save the chart shown on the home screen under a name typed in a dialog, asking before replacing a saved chart.

The steps are the chart builder's: ``check_name`` checks the name, the
builder's ``saved_definition`` looks up a chart of that name, a
``ConfirmScreen`` gets a yes before that chart is replaced, and
``save_chart`` writes in the background. The builder asks the same
``replace_question`` before it replaces a chart of another type.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from tui.analytics.definition import ChartDefinition
from tui.app.background import run_in_background
from tui.app.confirm import ConfirmScreen
from tui.app.footer import SteadyFooter
from tui.app.modal import LoupeModal
from tui.store.saved_charts import SavedChartError, check_name, save_chart
from tui.text import printable


# Shown under the name after a No to replacing the saved chart of that name.
KEPT_NOTE = "The saved chart was left as it is: type another name."


class ChartNameDialog(LoupeModal):
    """A dialog that returns the chart name typed in its field, checked by ``check_name``, or None when closed."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", id="save_chart.submit", tooltip="Save the chart under the name typed"),
    ]

    def __init__(self, name: str, note: str = ""):
        super().__init__()
        self.first_name = name
        # A line shown under the field from the start, such as why the dialog opened again.
        self.first_note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Save chart", style="bold"), classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Name")
                yield Input(self.first_name, placeholder="name to save under", compact=True, id="chart-name")
            yield Static(Text(self.first_note), id="form-error")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#chart-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        try:
            name = check_name(self.query_one("#chart-name", Input).value)
        except SavedChartError as error:
            self.query_one("#form-error", Static).update(Text(str(error)))
            return
        self.dismiss(name)


def offered_name(app) -> str:
    """Return the name the dialog starts with: the saved chart's, else the one typed in the builder, else none."""
    if app.chart_name:
        return app.chart_name
    origin = app.chart_origin
    return origin.name if origin is not None and origin.name else ""


def save_shown_chart(app) -> None:
    """Ask a name for the chart shown on the home screen, then save it there, as the builder's Save does."""
    definition = app.definition
    if definition is None:
        app.notify("There is no chart to save yet: build one with b.", severity="warning")
        return
    if not app.check_writable():
        return
    _ask_name(app, definition, offered_name(app))


def _ask_name(app, definition: ChartDefinition, name: str, note: str = "") -> None:
    """Open the name dialog on ``name``, with ``note`` under the field, and go on with the name chosen."""
    app.push_screen(ChartNameDialog(name, note), lambda chosen: _name_chosen(app, definition, chosen))


def _name_chosen(app, definition: ChartDefinition, name: str | None) -> None:
    """Look up a saved chart called ``name``, and ask before replacing it unless it is the chart shown."""
    # Imported here: the builder screen pulls in its panels and pickers, which the home screen needs only now.
    from tui.app.builder_screen import saved_definition

    if name is None:
        return
    if name == app.chart_name:
        # The chart shown is the saved one, so saving writes the same chart again.
        _write(app, definition, name)
        return

    def checked(replaced: dict | None) -> None:
        if replaced is None:
            _write(app, definition, name)
            return
        question = replace_question(name, replaced, definition)
        app.push_screen(ConfirmScreen(question), answered)

    def answered(yes: bool | None) -> None:
        if yes:
            _write(app, definition, name)
            return
        # Back to the name, as typed, so that only the name needs changing.
        _ask_name(app, definition, name, KEPT_NOTE)

    look_up = lambda cursor: saved_definition(cursor, name)  # noqa: E731
    run_in_background(app.home, look_up, checked, "Reading the saved charts failed")


def replace_question(name: str, replaced: dict, definition: ChartDefinition) -> str:
    """Return the question before ``definition`` replaces the saved chart ``name``, whose definition is ``replaced``."""
    from tui.app.builder_screen import CHART_TYPE_NAMES
    from tui.app.pickers import saved_chart_type_name

    if replaced.get("type") == definition.type:
        return f"A saved chart is already called {printable(name)!r}. Replace it? (y/n)"
    # The builder's question, because a chart of another type may have been meant to stay.
    return (
        f"The saved chart {printable(name)!r} has type {saved_chart_type_name(replaced)}, "
        f"not {CHART_TYPE_NAMES[definition.type]}. Replace it? (y/n)"
    )


def _write(app, definition: ChartDefinition, name: str) -> None:
    member = app.project.current_member()
    write = lambda cursor: save_chart(cursor, name, definition.to_json(), created_by=member)  # noqa: E731
    run_in_background(app.home, write, lambda _: _saved(app, definition, name), "Saving the chart failed")


def _saved(app, definition: ChartDefinition, name: str) -> None:
    """Show the chart shown as the saved chart ``name``, unless another chart replaced it while saving."""
    app.notify(f"Saved chart {name!r}.", markup=False)
    if app.definition != definition:
        return
    # Saving changes no value, so the chart stays as drawn. Only the annotations saved with the name are new.
    app.chart_name = name
    app.chart_origin = None
    app.reload_markers()
    app.home.redraw()
