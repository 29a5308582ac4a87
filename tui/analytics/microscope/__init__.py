"""The microscope: what a chart's data point is made of, one module per action.

- ``actor_set``: ``ActorSet`` and ``as_actor_set``; every action takes a
  ``Point`` or an ``ActorSet`` and reads the point's own events query.
- ``users``: the user list, paged, sorted and searched in DuckDB.
- ``profile``: one user's ids, latest properties, cohorts and activity.
- ``streams``: each user's events around the point's range, counted ones marked.
- ``paths``: the top event paths after the chart's event, as a tree.
- ``why``: the events that put one user in the point.
- ``compare``: users in both of two points, or in only one.
"""

from tui.analytics.microscope.actor_set import ActorSet, MicroscopeError, actor_count, as_actor_set
from tui.analytics.microscope.compare import compare_actors_sql, compare_points
from tui.analytics.microscope.paths import path_rows, point_paths
from tui.analytics.microscope.profile import Profile, activity, find_actor, user_profile
from tui.analytics.microscope.streams import point_streams, stream_property_names, user_stream
from tui.analytics.microscope.users import point_users, point_users_count, user_property_names
from tui.analytics.microscope.why import why_here

__all__ = [
    "ActorSet", "MicroscopeError", "Profile", "activity", "actor_count", "as_actor_set", "compare_actors_sql",
    "compare_points", "find_actor", "path_rows", "point_paths", "point_streams", "point_users",
    "point_users_count", "stream_property_names", "user_profile", "user_property_names", "user_stream", "why_here",
]
