#!/usr/bin/python3
"""Parse the ACKs mllp_send printed (read on stdin) with python-hl7, as JSON.

mllp_send prints each reply as received: VT, the ACK, FS, CR, then a newline.
Prints [{"msa1", "msa2", "msh9", "msh12", "err": [table 0357 codes]}, ...].
Run with Debian's /usr/bin/python3, which sees python3-hl7.
"""
import json
import sys

import hl7

data = sys.stdin.buffer.read().decode("utf-8")
acks = []
for chunk in data.split("\x0b"):
    text = chunk.replace("\x1c", "").strip("\r\n")
    if not text:
        continue
    msg = hl7.parse(text)
    version = str(msg.segment("MSH")[12])
    codes = []
    for err in msg.segments("ERR") if "ERR" in [str(s[0]) for s in msg] else []:
        if version.startswith(("2.1", "2.2", "2.3", "2.4")):
            codes.append(str(err[1][0][3][0]))
        else:
            codes.append(str(err[3][0][0]))
    acks.append(
        {
            "msa1": str(msg.segment("MSA")[1]),
            "msa2": str(msg.segment("MSA")[2]),
            "msh9": str(msg.segment("MSH")[9]),
            "msh12": version,
            "err": codes,
        }
    )
json.dump(acks, sys.stdout)
