"""Text from event data made safe to show: control characters become visible escapes."""

import re

# C0 controls, DEL and C1 controls: a terminal would act on them instead of showing them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """Return ``text`` as a string with control characters written as ``\\xNN`` escapes.

    Event names and property values come from the data; an escape character
    in them must be shown, not sent to the terminal.
    """
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))
