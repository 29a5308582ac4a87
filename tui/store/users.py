"""Expressions over the ``users`` table that every user list shares."""

# The id a user list shows: the user id, or the first device id of an actor never identified.
DISPLAY_ID = "coalesce(users.user_id, users.device_ids[1])"
