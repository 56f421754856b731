"""Read outbound messages with Debian's python3-hl7 (an independent parser).

Input (stdin): a JSON list of messages, each a string of CR-terminated
segments. Output (stdout): per message, the segment names in order and the
key fields as python-hl7 reads them: MSH-9, SCH-2, SCH-25, PID-3, PV1-7
(whole fields as text, None when the segment is absent).
"""

import json
import sys

import hl7


def field(message, name, n):
    try:
        segment = message.segment(name)
    except KeyError:
        return None
    return str(segment[n]) if len(segment) > n else ""


out = []
for text in json.load(sys.stdin):
    message = hl7.parse(text)
    out.append(
        {
            "segments": [str(s[0]) for s in message],
            "MSH-9": field(message, "MSH", 9),
            "SCH-2": field(message, "SCH", 2),
            "SCH-25": field(message, "SCH", 25),
            "PID-3": field(message, "PID", 3),
            "PV1-7": field(message, "PV1", 7),
        }
    )
json.dump(out, sys.stdout)
