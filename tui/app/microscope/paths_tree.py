"""The tree of a point's user paths: one node per step, with its users and its share of the parent."""

from __future__ import annotations

import pandas as pd
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tui.app.formatting import format_value
from tui.text import printable

# Levels below the root shown expanded when a report arrives. Deeper ones open with Space or e.
EXPANDED_LEVELS = 2

# The footer's names of the tree's keys, which the status line above the tree repeats.
TOGGLE_NAME = "Open or close"
OPEN_ALL_NAME = "Open all below"
KEYS_HINT = f"Space {TOGGLE_NAME.lower()} · e {OPEN_ALL_NAME.lower()}"


def node_label(row) -> Text:
    """Return a node's label: the event (or ``Other (k events, n users)``, ``End``), its users and share."""
    label = Text(printable(row.label), style="bold" if row.kind == "event" else "italic")
    if row.kind != "other":
        # An Other label already names its users.
        label.append(f"  {format_value(row.users, 'uniques')}", style="dim")
    label.append(f"  {row.share_of_parent:.1%}", style="dim")
    return label


class PathsTree(Tree):
    """A ``Tree`` of the rows of ``point_paths``, each node's data the row it shows; moves with j and k too."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="paths.down"),
        Binding("k", "cursor_up", "Up", show=False, id="paths.up"),
        Binding("space", "toggle_node", TOGGLE_NAME, id="paths.toggle", tooltip="Open or close the highlighted step"),
        Binding("e", "open_all", OPEN_ALL_NAME, id="paths.open_all",
                tooltip="Open the highlighted step and every step below it"),
        # Replaces Tree's shift+space, which toggles the highlighted step's siblings and does nothing on the root.
        # Hidden, so the footer names the key that the status line names.
        Binding("shift+space", "open_all", OPEN_ALL_NAME, show=False, id="paths.open_all_shift",
                tooltip="Open the highlighted step and every step below it"),
    ]

    def __init__(self, **kwargs):
        super().__init__(Text("Paths"), **kwargs)

    def show_paths(self, nodes: pd.DataFrame) -> None:
        """Replace the tree with the nodes of a ``point_paths`` frame (parents come before their children)."""
        users = int(nodes.loc[nodes["depth"] == 0, "users"].sum())
        self.reset(Text(f"Paths of {format_value(users, 'uniques')}"))
        parents = set(nodes["parent_id"].dropna().astype(int))
        added: dict[int, TreeNode] = {}
        for row in nodes.itertuples(index=False):
            parent = self.root if pd.isna(row.parent_id) else added[int(row.parent_id)]
            # Other and End nodes, and steps at the report's depth, have no children.
            node = parent.add(node_label(row), data=row, allow_expand=int(row.node_id) in parents)
            if row.depth < EXPANDED_LEVELS:
                node.expand()
            added[int(row.node_id)] = node
        self.root.expand()
        self.move_cursor(self.root)

    def action_open_all(self) -> None:
        """Open the highlighted node and every node below it, the root included."""
        if self.cursor_node is not None:
            self.cursor_node.expand_all()

    def nodes(self) -> list[TreeNode]:
        """Return every node below the root, parents before children."""
        found: list[TreeNode] = []
        pending = list(self.root.children)
        while pending:
            node = pending.pop(0)
            found.append(node)
            pending.extend(node.children)
        return found
