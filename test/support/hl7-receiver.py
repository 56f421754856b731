#!/usr/bin/python3
"""An independent MLLP receiver for the delivery tests: python-hl7's asyncio
MLLP server (hl7.mllp.start_hl7_server), answering each message as told.

  /usr/bin/python3 test/support/hl7-receiver.py [--port N] [--ack AA|AE|AR|CA]
      [--no-ack] [--close-mid-ack] [--close-every N] [--slow-first N:SECONDS]
      [--ar-once CONTROL_ID] [--ae-for CONTROL_ID] [--err CODE]

Prints `ready port=N` once listening, then one line per message received,
in arrival order, flushed at once:
  RECV <MSH-10> <MSH-9> <PID-3.1> <answer>
where answer is what it did: AA, AE, AR, CA+AA, none, closed, closed-mid-ack,
slow:SECONDS+AA. Run with Debian's /usr/bin/python3, which sees python3-hl7.
"""
import argparse
import asyncio
import sys

import hl7
from hl7.mllp import start_hl7_server

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--ack", default="AA", help="the answer: AA, AE, AR or CA (CA then AA)")
parser.add_argument("--no-ack", action="store_true", help="never answer")
parser.add_argument("--close-mid-ack", action="store_true", help="write half the ACK, then close")
parser.add_argument("--close-every", type=int, default=0, help="close without answering every Nth message")
parser.add_argument("--slow-first", default="", help="N:SECONDS: answer the first N messages after SECONDS")
parser.add_argument("--ar-once", action="append", default=[], help="answer AR the first time this MSH-10 comes")
parser.add_argument("--ae-for", action="append", default=[], help="answer AE to this MSH-10")
parser.add_argument("--err", default="207", help="ERR-3 code with AE/AR answers")
args = parser.parse_args()

slow_count, slow_seconds = 0, 0.0
if args.slow_first:
    n, s = args.slow_first.split(":")
    slow_count, slow_seconds = int(n), float(s)

received = 0
ar_done = set()


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def ack_for(message, code):
    ack = message.create_ack(code, application="PYRECV", facility="TEST")
    if code in ("AE", "AR", "CR", "CE"):
        ack = hl7.parse(str(ack) + "\rERR|||" + args.err + "^test error^HL70357|E")
    return ack


async def answer(reader, writer):
    global received
    try:
        while not writer.is_closing():
            message = await reader.readmessage()
            received += 1
            control = str(message.segment("MSH")[10])
            kind = str(message.segment("MSH")[9])
            try:
                patient = str(message.segment("PID")[3][0][0])
            except (KeyError, IndexError):
                patient = "-"
            if args.close_every and received % args.close_every == 0:
                say(f"RECV {control} {kind} {patient} closed")
                writer.close()
                return
            if args.no_ack:
                say(f"RECV {control} {kind} {patient} none")
                continue
            code = args.ack
            if control in args.ae_for:
                code = "AE"
            if control in args.ar_once and control not in ar_done:
                ar_done.add(control)
                code = "AR"
            if args.close_mid_ack:
                say(f"RECV {control} {kind} {patient} closed-mid-ack")
                text = "\x0b" + str(ack_for(message, code)).replace("\n", "\r")
                writer.transport.write(text[: len(text) // 2].encode())
                writer.close()
                return
            answer_name = code
            if received <= slow_count:
                answer_name = f"slow:{slow_seconds:g}+{code}"
                say(f"RECV {control} {kind} {patient} {answer_name}")
                await asyncio.sleep(slow_seconds)
            else:
                say(f"RECV {control} {kind} {patient} {'CA+AA' if code == 'CA' else code}")
            if writer.is_closing():
                return
            if code == "CA":
                writer.writemessage(ack_for(message, "CA"))
                await writer.drain()
                code = "AA"
            writer.writemessage(ack_for(message, code))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        if not writer.is_closing():
            writer.close()


async def main():
    server = await start_hl7_server(answer, host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    say(f"ready port={port}")
    async with server:
        await server.serve_forever()


try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
