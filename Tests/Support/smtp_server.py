#!/usr/bin/python3
"""A controllable SMTP relay for Koerier's end-to-end tests (aiosmtpd; run with /usr/bin/python3).

Usage:
    smtp_server.py --dir DIR --port-file PATH [--host 127.0.0.1] [--port 0]
                   [--tempfail-first N] [--reject-rcpt REGEX]
                   [--drop-first-rcpt REGEX] [--stall-first-rcpt REGEX] [--stall-seconds S]
                   [--auth-echo reject|accept] [--auth-mechanisms PLAIN,LOGIN]

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

--auth-echo makes a careless relay that echoes the AUTH exchange (without TLS, so only for loopback): it offers
AUTH with --auth-mechanisms (default PLAIN,LOGIN), repeats the client's base64 answers in its LOGIN challenges,
and then, with "reject", answers 535 quoting the base64 blobs and the decoded username and password; with
"accept", answers 235 quoting them and puts the PLAIN blob into every "250 ... queued as" reply too.

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
SESSION_BLOBS = {}


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


def b64(data):
    return base64.b64encode(data).decode("ascii")


class Handler:
    async def handle_AUTH(self, server, session, envelope, args):
        """The careless relay of --auth-echo: echoes what the client sent, in every form."""
        mechanism = args[0].upper()
        if mechanism == "PLAIN":
            if len(args) > 1:
                blob = args[1]
            else:
                answer = await server.challenge_auth("", encode_to_b64=False)
                if not isinstance(answer, bytes):
                    return None
                blob = b64(answer)
            parts = base64.b64decode(blob + "=" * (-len(blob) % 4)).split(b"\0")
            user = parts[1] if len(parts) > 2 else b""
            password = parts[2] if len(parts) > 2 else b""
            said = "AUTH PLAIN %s" % blob
        else:
            user = await server.challenge_auth("Username:")
            if not isinstance(user, bytes):
                return None
            password = await server.challenge_auth(
                ("UGFzc3dvcmQ6 (username was %s = %s)" % (b64(user), user.decode("utf-8", "replace"))).encode(),
                encode_to_b64=False)
            if not isinstance(password, bytes):
                return None
            blob = b64(b"\0" + user + b"\0" + password)
            said = "AUTH LOGIN %s %s" % (b64(user), b64(password))
        SESSION_BLOBS[id(session)] = blob
        decoded = "%s/%s" % (user.decode("utf-8", "replace"), password.decode("utf-8", "replace"))
        if OPTIONS.auth_echo == "accept":
            session.authenticated = True
            return "235 2.7.0 Authentication successful: %s (%s)" % (said, decoded)
        return "535 5.7.8 Authentication failed: %s (%s) plain=%s" % (said, decoded, blob)

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
        if OPTIONS.auth_echo and id(session) in SESSION_BLOBS:
            reply += " for %s" % SESSION_BLOBS[id(session)]
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
        if OPTIONS.auth_echo:
            offered = set(m.strip().upper() for m in OPTIONS.auth_mechanisms.split(","))
            excluded = [m for m in ("PLAIN", "LOGIN") if m not in offered]
            return LoggingSMTP(handler, decode_data=False, hostname="e2e-relay", timeout=120,
                               auth_require_tls=False, auth_exclude_mechanism=excluded)
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
    parser.add_argument("--auth-echo", choices=["reject", "accept"], default=None)
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN")
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
