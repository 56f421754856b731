#!/usr/bin/python3
"""Dump how python-hl7 parses HL7 v2 files, as JSON, for the differential test.

Usage: /usr/bin/python3 test/support/python-hl7-dump.py FILE...

Run with Debian's /usr/bin/python3 and its python3-hl7 package (0.4.x); the
`python3` on PATH may be another interpreter that does not see it. Prints one
JSON document on stdout:

  {"python": "3.11.2", "hl7": "0.4.5",
   "files": [{"path": ..., "prepared": [...], "kind": ..., "error": ...,
              "items": [...], "unprepared": {...}}]}

Text is prepared the way python-hl7 needs it (it is given a string, never
bytes): bytes decoded as UTF-8 (invalid bytes replaced by U+FFFD), a leading
UTF-8 BOM removed, and CRLF / LF turned into CR, because python-hl7 splits
segments on CR only and would silently read LF-separated lines as one
segment. Each step actually applied is listed in "prepared"; when there is
one, "unprepared" records what python-hl7 makes of the text as read (its
error, or the segment names it finds), as evidence that the step is needed.

The text is then handed to hl7.parse_hl7, which picks hl7.parse (one
message), hl7.parse_batch (BHS, or more than one MSH) or hl7.parse_file (FHS)
itself. "kind" is "message", "batch" or "file"; "error" is the exception text
when python-hl7 refuses the input (then "items" is empty).

"items" lists what python-hl7 built, in its order:
  {"type": "message", "delimiters": D, "segments": [SEGMENT, ...]}
  {"type": "envelope", "delimiters": D, "segment": SEGMENT, "synthetic": bool}
D is python-hl7's reading of the separators, {"field", "component",
"repetition", "escape", "subcomponent"} (it always has an escape character
and knows no truncation character). "synthetic" marks a BTS/FTS trailer that
python-hl7 invented because the input had none.
A SEGMENT is {"name": str, "fields": [FIELD, ...]} with
fields[n - 1] = field n (python-hl7 0.4 numbers MSH like the standard:
segment[1] is MSH-1, segment[2] MSH-2). A FIELD is normalised to the full
depth, repetitions -> components -> subcomponents, whatever depth python-hl7
stopped splitting at; each subcomponent is [raw, decoded], where decoded is
python-hl7's own hl7.util.unescape of the raw text (what extract_field and
message["PID.5.1"] return), or null when its unescape raised.
"""

import json
import logging
import re
import sys

import hl7
from hl7.util import unescape

# python-hl7 logs (logger.exception, with tracebacks) for every escape
# sequence it does not know; the JSON on stdout is all we want.
logging.disable(logging.CRITICAL)

LINE_BREAK = re.compile(r"\r\n|\n")


def leaf(segment, raw, literal):
    if literal:
        return [raw, raw]
    try:
        return [raw, unescape(segment, raw)]
    except Exception:  # noqa: BLE001 - unescape raises on e.g. '\.spx\'
        return [raw, None]


def to_depth(node, depth, segment, literal):
    """A python-hl7 node (str or container) as nested lists `depth` deep."""
    if depth == 0:
        if not isinstance(node, str):
            raise TypeError("python-hl7 nested deeper than subcomponents: %r" % (node,))
        return leaf(segment, node, literal)
    if isinstance(node, str):
        return [to_depth(node, depth - 1, segment, literal)]
    return [to_depth(child, depth - 1, segment, literal) for child in node]


def dump_segment(segment):
    name = str(segment[0])
    header = name in ("MSH", "FHS", "BHS")
    fields = []
    for n, field in enumerate(segment[1:], start=1):
        # python-hl7 never unescapes MSH-1 / MSH-2 (see Segment.extract_field).
        fields.append(to_depth(field, 3, segment, header and n in (1, 2)))
    return {"name": name, "fields": fields}


def delimiters(container):
    # separators is "\r" + field + repetition + component + subcomponent.
    seps = container.separators
    return {
        "field": seps[1],
        "component": seps[3],
        "repetition": seps[2],
        "escape": container.esc,
        "subcomponent": seps[4],
    }


def dump_message(message):
    return {
        "type": "message",
        "delimiters": delimiters(message),
        "segments": [dump_segment(s) for s in message],
    }


def envelope(segment, lines):
    # parse_batch / parse_file invent "BTS" / "FTS" when the trailer is missing.
    return {
        "type": "envelope",
        "delimiters": delimiters(segment),
        "segment": dump_segment(segment),
        "synthetic": str(segment) not in lines,
    }


def dump_batch(batch, lines):
    items = []
    if batch.header is not None:
        items.append(envelope(batch.header, lines))
    items.extend(dump_message(m) for m in batch)
    if batch.trailer is not None:
        items.append(envelope(batch.trailer, lines))
    return items


def dump_text(text):
    lines = set(text.split("\r"))
    parsed = hl7.parse_hl7(text)
    if isinstance(parsed, hl7.File):
        items = []
        if parsed.header is not None:
            items.append(envelope(parsed.header, lines))
        for batch in parsed:
            items.extend(dump_batch(batch, lines))
        if parsed.trailer is not None:
            items.append(envelope(parsed.trailer, lines))
        return "file", items
    if isinstance(parsed, hl7.Batch):
        return "batch", dump_batch(parsed, lines)
    return "message", [dump_message(parsed)]


def dump_file(path):
    with open(path, "rb") as f:
        data = f.read()
    prepared = []
    text = data.decode("utf-8", errors="replace")
    if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
        prepared.append("invalid-utf8-replaced")
    if text.startswith("\ufeff"):
        text = text[1:]
        prepared.append("bom-stripped")
    if "\n" in text:
        text = LINE_BREAK.sub("\r", text)
        prepared.append("line-endings-to-cr")
    out = {"path": path, "prepared": prepared, "kind": None, "error": None, "items": []}
    try:
        out["kind"], out["items"] = dump_text(text)
    except Exception as e:  # noqa: BLE001 - recorded, the test decides
        out["error"] = "%s: %s" % (type(e).__name__, e)
    if prepared:
        # Evidence for the preparation: what python-hl7 makes of the text as read.
        out["unprepared"] = unprepared(data.decode("utf-8", errors="replace"))
    return out


def unprepared(text):
    try:
        kind, items = dump_text(text)
    except Exception as e:  # noqa: BLE001
        return {"error": "%s: %s" % (type(e).__name__, e)}
    names = []
    for item in items:
        segments = item["segments"] if item["type"] == "message" else [item["segment"]]
        names.extend(s["name"] for s in segments)
    return {"kind": kind, "segmentNames": names}


def main(paths):
    result = {
        "python": sys.version.split()[0],
        "hl7": getattr(hl7, "__version__", "unknown"),
        "files": [dump_file(p) for p in paths],
    }
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
