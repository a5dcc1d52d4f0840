#!/usr/bin/python3
"""A controllable SMTP relay for Koerier's end-to-end tests (aiosmtpd; run with /usr/bin/python3).

Usage:
    smtp_server.py --dir DIR --port-file PATH [--host 127.0.0.1] [--port 0]
                   [--tempfail-first N] [--reject-rcpt REGEX]
                   [--drop-first-rcpt REGEX] [--stall-first-rcpt REGEX] [--stall-seconds S]

Every transaction that reaches the end of DATA is saved as DIR/<seq>.json (written atomically through a hidden
temporary file) with: seq, mail_from, rcpt_tos, outcome, reply, data_b64 (the raw message bytes exactly as
received, CRLF line endings kept, dot-stuffing removed). Refused recipients (RCPT) are logged as
DIR/<seq>.json too, with outcome "rcpt-rejected" and no data.

Outcomes, checked in this order at the end of DATA:
    --drop-first-rcpt REGEX   the first transaction for each recipient matching REGEX: the connection is closed
                              without any reply (the message did arrive: the ambiguous case); later ones accepted
    --stall-first-rcpt REGEX  the first transaction for each matching recipient: no reply for --stall-seconds
                              (default 30), then the connection is closed; later ones accepted
    --tempfail-first N        the first N transactions get "451 4.3.0 try later"
    otherwise                 "250 2.0.0 Ok: queued as <seq>"
At RCPT: a recipient matching --reject-rcpt gets "550 5.1.1 user unknown".

The chosen port is written to --port-file (atomically) once the server listens. SIGTERM/SIGINT end the process.
"""

import argparse
import asyncio
import base64
import json
import os
import re
import signal
import sys
import time

from aiosmtpd.smtp import SMTP

OPTIONS = None
COUNTER = {"seq": 0, "tempfails": 0}
SEEN_DROP = set()
SEEN_STALL = set()


def next_seq():
    COUNTER["seq"] += 1
    return COUNTER["seq"]


def save(record):
    name = "%06d.json" % record["seq"]
    tmp = os.path.join(OPTIONS.dir, "." + name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(record, f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(OPTIONS.dir, name))


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if OPTIONS.reject_rcpt and re.search(OPTIONS.reject_rcpt, address):
            save({"seq": next_seq(), "mail_from": envelope.mail_from, "rcpt_tos": [address],
                  "outcome": "rcpt-rejected", "reply": "550 5.1.1 user unknown", "data_b64": ""})
            return "550 5.1.1 user unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        seq = next_seq()
        rcpts = list(envelope.rcpt_tos)
        record = {"seq": seq, "mail_from": envelope.mail_from, "rcpt_tos": rcpts,
                  "data_b64": base64.b64encode(envelope.original_content or b"").decode("ascii")}
        first = rcpts[0] if rcpts else ""
        if OPTIONS.drop_first_rcpt and re.search(OPTIONS.drop_first_rcpt, first) and first not in SEEN_DROP:
            SEEN_DROP.add(first)
            record.update(outcome="dropped", reply="")
            save(record)
            server.transport.abort()
            return "250 never seen"
        if OPTIONS.stall_first_rcpt and re.search(OPTIONS.stall_first_rcpt, first) and first not in SEEN_STALL:
            SEEN_STALL.add(first)
            record.update(outcome="stalled", reply="")
            save(record)
            await asyncio.sleep(OPTIONS.stall_seconds)
            server.transport.abort()
            return "250 never seen"
        if COUNTER["tempfails"] < OPTIONS.tempfail_first:
            COUNTER["tempfails"] += 1
            reply = "451 4.3.0 try later"
            record.update(outcome="tempfail", reply=reply)
            save(record)
            return reply
        reply = "250 2.0.0 Ok: queued as Q%06d" % seq
        record.update(outcome="accepted", reply=reply)
        save(record)
        return reply


async def main():
    loop = asyncio.get_running_loop()
    handler = Handler()

    class LoggingSMTP(SMTP):
        """Logs every connection and its end on stderr (the test keeps it as server.log)."""

        def connection_made(self, transport):
            peer = transport.get_extra_info("peername")
            print("%.3f connect %s:%s" % (time.time(), peer[0], peer[1]), file=sys.stderr, flush=True)
            super().connection_made(transport)

        def connection_lost(self, exc):
            print("%.3f disconnect %s" % (time.time(), exc or ""), file=sys.stderr, flush=True)
            super().connection_lost(exc)

    def factory():
        return LoggingSMTP(handler, decode_data=False, hostname="e2e-relay", timeout=120)

    server = await loop.create_server(factory, host=OPTIONS.host, port=OPTIONS.port)
    port = server.sockets[0].getsockname()[1]
    tmp = OPTIONS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, OPTIONS.port_file)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tempfail-first", type=int, default=0)
    parser.add_argument("--reject-rcpt", default=None)
    parser.add_argument("--drop-first-rcpt", default=None)
    parser.add_argument("--stall-first-rcpt", default=None)
    parser.add_argument("--stall-seconds", type=float, default=30.0)
    OPTIONS = parser.parse_args()
    # A parent may hand down SIGTERM/SIGINT blocked (the Swift test runner does): unblock them, so stopping is quick.
    blocked = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    if signal.SIGTERM in blocked:
        print("SIGTERM was blocked by the parent; unblocked", file=sys.stderr, flush=True)
    os.makedirs(OPTIONS.dir, exist_ok=True)
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    sys.exit(0)
