#!/usr/bin/env python3
"""A fake SMS provider that speaks the HTTP formats of MessageBird, CM.com, Spryng, Twilio, Vonage and a
generic JSON/form endpoint, for Koerier's tests. Python 3 standard library only.

Usage:
    fake_sms_provider.py --port 0 --port-file PATH --log PATH [--token T] [--host 127.0.0.1]

The chosen port is printed on stdout and written to --port-file (atomically). Every request received is
appended to --log as one JSON line {"ts", "path", "method", "headers", "body"} and flushed immediately.
SIGTERM or SIGINT ends the process at once.

Endpoints (same paths as the real APIs, so the codecs' base URL can point here):
    POST /messages                                   MessageBird   Authorization: AccessKey <token>
    GET  /messages?reference=R  /messages/<id>       MessageBird lookup
    POST /v1.0/message                               CM.com        X-CM-PRODUCTTOKEN or messages.authentication.producttoken
    POST /v1/messages                                Spryng        Authorization: Bearer <token>
    GET  /v1/messages?filters[reference]=R  /v1/messages/<id>   Spryng lookup (also ?reference=R)
    POST /2010-04-01/Accounts/<sid>/Messages.json    Twilio        Basic <sid>:<token>
    POST /sms/json                                   Vonage        api_key + api_secret=<token> (form or JSON), or Basic
    POST /generic/send                               generic       Authorization: Bearer <token>, X-Api-Key, or "token" field
    GET  /health                                     200 "ok"

The last digit of the recipient number steers the outcome:
    0 accepted          1 HTTP 429 with Retry-After: 2     2 HTTP 500         3 HTTP 401 (auth)
    4 invalid number    5 sleep 5 s, then accepted          6 insufficient balance
    7 accepted (Vonage: HTTP 200 with status "1" throttled; CM: partial rejection of a second number)
    8, 9 accepted
Errors are in each provider's own body format. A wrong or missing token gives 401 in the provider's format.
"""

import argparse
import base64
import json
import os
import signal
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOG_LOCK = threading.Lock()
STORE_LOCK = threading.Lock()
# Accepted messages by provider: list of dicts with at least id and reference.
STORE = {"messagebird": [], "spryng": [], "cm": [], "twilio": [], "vonage": [], "generic": []}

OPTIONS = None
LOG_FILE = None


def now_iso():
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def digits(number):
    return "".join(ch for ch in str(number) if ch.isdigit())


def last_digit(number):
    d = digits(number)
    return d[-1] if d else "0"


def form_or_json(body, content_type):
    """Parse a request body as JSON or form; returns a dict (form values as single strings)."""
    text = body.decode("utf-8", errors="replace")
    if "json" in (content_type or "") or text.lstrip().startswith(("{", "[")):
        try:
            value = json.loads(text) if text.strip() else {}
            return value if isinstance(value, dict) else {"_": value}
        except ValueError:
            return {}
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeSMS/1.0"
    sys_version = ""

    # ---------------------------------------------------------------- plumbing

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def record(self, body):
        entry = {
            "ts": now_iso(),
            "path": self.path,
            "method": self.command,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
        }
        with LOG_LOCK:
            LOG_FILE.write(json.dumps(entry, ensure_ascii=False) + "\n")
            LOG_FILE.flush()

    def send(self, status, payload=None, headers=None, content_type="application/json"):
        if payload is None:
            data = b""
        elif isinstance(payload, (bytes, bytearray)):
            data = bytes(payload)
        elif isinstance(payload, str):
            data = payload.encode("utf-8")
        else:
            data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and data:
            self.wfile.write(data)
        self.wfile.flush()

    def handle_one_request(self):
        try:
            super().handle_one_request()
        except (ConnectionResetError, BrokenPipeError):
            self.close_connection = True

    def do_GET(self):
        self.dispatch(b"")

    def do_POST(self):
        self.dispatch(self.read_body())

    def do_PUT(self):
        self.dispatch(self.read_body())

    def dispatch(self, body):
        self.record(body)
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        segments = [s for s in path.split("/") if s]
        try:
            if path == "/health":
                return self.send(200, "ok", content_type="text/plain")
            if path == "/messages" and self.command == "POST":
                return self.messagebird_send(body)
            if path == "/messages" and self.command == "GET":
                return self.messagebird_list(query)
            if len(segments) == 2 and segments[0] == "messages" and self.command == "GET":
                return self.messagebird_show(segments[1])
            if path == "/v1.0/message" and self.command == "POST":
                return self.cm_send(body)
            if path == "/v1/messages" and self.command == "POST":
                return self.spryng_send(body)
            if path == "/v1/messages" and self.command == "GET":
                return self.spryng_list(query)
            if len(segments) == 3 and segments[:2] == ["v1", "messages"] and self.command == "GET":
                return self.spryng_show(segments[2])
            if (len(segments) == 4 and segments[0] == "2010-04-01" and segments[1] == "Accounts"
                    and segments[3] == "Messages.json" and self.command == "POST"):
                return self.twilio_send(segments[2], body)
            if path == "/sms/json" and self.command == "POST":
                return self.vonage_send(body)
            if path == "/generic/send" and self.command in ("POST", "PUT"):
                return self.generic_send(body)
            return self.send(404, {"error": "not found", "path": parts.path})
        except Exception as exc:  # a bug in the fake must not hang the client
            return self.send(500, {"error": "fake provider error: %s" % exc})

    # ---------------------------------------------------------------- shared behaviour

    def steer(self, number):
        """Common steering; returns the digit, after sleeping for the slow case."""
        digit = last_digit(number)
        if digit == "5":
            time.sleep(5)
        return digit

    def remember(self, provider, entry):
        with STORE_LOCK:
            STORE[provider].append(entry)

    def find(self, provider, key, value):
        with STORE_LOCK:
            return [m for m in STORE[provider] if m.get(key) == value]

    def bearer(self):
        value = self.headers.get("Authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else None

    def basic(self):
        value = self.headers.get("Authorization", "")
        if not value.lower().startswith("basic "):
            return None, None
        try:
            user, _, password = base64.b64decode(value[6:].strip()).decode("utf-8").partition(":")
            return user, password
        except (ValueError, UnicodeDecodeError):
            return None, None

    # ---------------------------------------------------------------- MessageBird

    def mb_error(self, status, code, description, parameter=None, headers=None):
        return self.send(status, {"errors": [{"code": code, "description": description, "parameter": parameter}]}, headers)

    def mb_authorized(self):
        value = self.headers.get("Authorization", "")
        return value.startswith("AccessKey ") and value[len("AccessKey "):].strip() == OPTIONS.token

    def messagebird_send(self, body):
        if not self.mb_authorized():
            return self.mb_error(401, 2, "Request not allowed (incorrect access_key)", "access_key")
        data = form_or_json(body, self.headers.get("Content-Type"))
        recipients = data.get("recipients") or []
        if isinstance(recipients, str):
            recipients = [r for r in recipients.split(",") if r]
        if not recipients or not data.get("originator") or not data.get("body"):
            return self.mb_error(422, 9, "no (correct) recipients found", "recipients")
        number = digits(recipients[0])
        digit = self.steer(number)
        if digit == "1":
            return self.mb_error(429, 98, "Too many requests", None, {"Retry-After": "2"})
        if digit == "2":
            return self.mb_error(500, 99, "Internal error")
        if digit == "3":
            return self.mb_error(401, 2, "Request not allowed (incorrect access_key)", "access_key")
        if digit == "4":
            return self.mb_error(422, 9, "no (correct) recipients found", "recipients")
        if digit == "6":
            return self.mb_error(402, 25, "Not enough balance")
        message_id = uuid.uuid4().hex
        created = now_iso()
        message = {
            "id": message_id,
            "href": "https://rest.messagebird.com/messages/" + message_id,
            "direction": "mt",
            "type": "sms",
            "originator": data.get("originator"),
            "body": data.get("body"),
            "reference": data.get("reference"),
            "validity": None,
            "gateway": 10,
            "typeDetails": {},
            "datacoding": data.get("datacoding") or "plain",
            "mclass": 1,
            "scheduledDatetime": None,
            "createdDatetime": created,
            "recipients": {
                "totalCount": 1, "totalSentCount": 1, "totalDeliveredCount": 0, "totalDeliveryFailedCount": 0,
                "items": [{"recipient": int(number) if number else 0, "status": "sent", "statusDatetime": created}],
            },
        }
        self.remember("messagebird", message)
        return self.send(201, message)

    def messagebird_list(self, query):
        if not self.mb_authorized():
            return self.mb_error(401, 2, "Request not allowed (incorrect access_key)", "access_key")
        reference = (query.get("reference") or [None])[0]
        with STORE_LOCK:
            items = [m for m in STORE["messagebird"] if reference is None or m.get("reference") == reference]
        return self.send(200, {"offset": 0, "limit": 20, "count": len(items), "totalCount": len(items),
                               "links": {"first": None, "previous": None, "next": None, "last": None},
                               "items": items[-20:]})

    def messagebird_show(self, message_id):
        if not self.mb_authorized():
            return self.mb_error(401, 2, "Request not allowed (incorrect access_key)", "access_key")
        found = self.find("messagebird", "id", message_id)
        if not found:
            return self.mb_error(404, 20, "message not found", None)
        return self.send(200, found[0])

    # ---------------------------------------------------------------- CM.com

    def cm_send(self, body):
        data = form_or_json(body, self.headers.get("Content-Type"))
        messages = data.get("messages") if isinstance(data.get("messages"), dict) else {}
        auth = messages.get("authentication") or {}
        token = self.headers.get("X-CM-PRODUCTTOKEN") or auth.get("producttoken") or auth.get("productToken")
        if token != OPTIONS.token:
            return self.send(401, {"details": "No account found for the given authentication", "errorCode": 101, "messages": []})
        msgs = messages.get("msg") or []
        if not msgs:
            return self.send(400, {"details": "A MESSAGES node requires at least one MSG node", "errorCode": 203, "messages": []})
        results = []
        accepted = 0
        first_digit = None
        for msg in msgs:
            reference = msg.get("reference")
            for to in msg.get("to") or []:
                number = str(to.get("number", ""))
                digit = last_digit(number)
                if first_digit is None:
                    first_digit = self.steer(number)
                    if first_digit == "1":
                        return self.send(429, {"details": "Too many requests", "errorCode": 999, "messages": []},
                                         {"Retry-After": "2"})
                    if first_digit == "2":
                        return self.send(500, {"details": "Internal error", "errorCode": 500, "messages": []})
                    if first_digit == "3":
                        return self.send(401, {"details": "No account found for the given authentication",
                                               "errorCode": 101, "messages": []})
                    if first_digit == "6":
                        return self.send(400, {"details": "Insufficient balance.", "errorCode": 102, "messages": []})
                if digit == "4" or not digits(number):
                    results.append({"to": number, "status": "Rejected", "reference": reference, "parts": 0,
                                    "messageDetails": "Gsm '%s' is not a number." % number, "messageErrorCode": 303})
                    continue
                accepted += 1
                self.remember("cm", {"id": None, "reference": reference, "to": number})
                results.append({"to": number, "status": "Accepted", "reference": reference, "parts": 1,
                                "messageDetails": None, "messageErrorCode": 0})
                if digit == "7":
                    results.append({"to": "00316000000004", "status": "Rejected", "reference": reference, "parts": 0,
                                    "messageDetails": "A body without content was found", "messageErrorCode": 304})
        error_code = 0 if all(r["status"] == "Accepted" for r in results) else 201
        status = 200 if accepted else 400
        return self.send(status, {"details": "Created %d message(s)" % accepted, "errorCode": error_code,
                                  "messages": results})

    # ---------------------------------------------------------------- Spryng

    def spryng_send(self, body):
        if self.bearer() != OPTIONS.token:
            return self.send(401, {"message": "Unauthenticated."})
        data = form_or_json(body, self.headers.get("Content-Type"))
        recipients = data.get("recipients") or []
        if isinstance(recipients, str):
            recipients = [recipients]
        if not recipients or not data.get("originator") or not data.get("body"):
            return self.send(422, {"message": "The given data was invalid.",
                                   "errors": {"recipients": ["The recipients field is required."]}})
        digit = self.steer(recipients[0])
        if digit == "1":
            return self.send(429, {"message": "Too Many Attempts."}, {"Retry-After": "2"})
        if digit == "2":
            return self.send(500, {"message": "Server Error"})
        if digit == "3":
            return self.send(401, {"message": "Unauthenticated."})
        if digit == "4":
            return self.send(422, {"message": "The given data was invalid.",
                                   "errors": {"recipients.0": ["The recipients.0 format is invalid."]}})
        if digit == "6":
            return self.send(402, {"message": "Insufficient credits."})
        created = now_iso()
        message = {
            "id": str(uuid.uuid4()),
            "encoding": data.get("encoding") or "plain",
            "originator": data.get("originator"),
            "route": data.get("route") or "business",
            "recipients": recipients,
            "body": data.get("body"),
            "reference": data.get("reference"),
            "credits": 1.0,
            "scheduled_at": None,
            "canceled_at": None,
            "created_at": created,
            "updated_at": created,
            "links": {},
        }
        self.remember("spryng", message)
        return self.send(200, message)

    def spryng_list(self, query):
        if self.bearer() != OPTIONS.token:
            return self.send(401, {"message": "Unauthenticated."})
        reference = (query.get("filters[reference]") or query.get("reference") or [None])[0]
        with STORE_LOCK:
            data = [m for m in STORE["spryng"] if reference is None or m.get("reference") == reference]
        return self.send(200, {"total": len(data), "per_page": 15, "current_page": 1, "last_page": 1,
                               "next_page_url": None, "prev_page_url": None, "from": 1 if data else None,
                               "to": len(data) if data else None, "data": data[:15]})

    def spryng_show(self, message_id):
        if self.bearer() != OPTIONS.token:
            return self.send(401, {"message": "Unauthenticated."})
        found = self.find("spryng", "id", message_id)
        if not found:
            return self.send(404, {"message": "Not found."})
        return self.send(200, found[0])

    # ---------------------------------------------------------------- Twilio

    def tw_error(self, status, code, message, headers=None):
        return self.send(status, {"code": code, "message": message,
                                  "more_info": "https://www.twilio.com/docs/errors/%d" % code, "status": status}, headers)

    def twilio_send(self, sid, body):
        user, password = self.basic()
        if user != sid or password != OPTIONS.token:
            return self.tw_error(401, 20003, "Authenticate")
        data = form_or_json(body, self.headers.get("Content-Type"))
        to, sender, text = data.get("To"), data.get("From"), data.get("Body")
        if not to:
            return self.tw_error(400, 21604, "A 'To' phone number is required.")
        if not sender:
            return self.tw_error(400, 21603, "A 'From' phone number is required.")
        if not text:
            return self.tw_error(400, 21602, "Message body is required.")
        digit = self.steer(to)
        if digit == "1":
            return self.tw_error(429, 20429, "Too Many Requests", {"Retry-After": "2"})
        if digit == "2":
            return self.tw_error(500, 20500, "Internal Server Error")
        if digit == "3":
            return self.tw_error(401, 20003, "Authenticate")
        if digit == "4":
            return self.tw_error(400, 21211, "The 'To' number %s is not a valid phone number." % to)
        if digit == "6":
            return self.tw_error(403, 10001, "Account is not active")
        message_sid = "SM" + uuid.uuid4().hex
        created = formatdate(usegmt=False)
        message = {
            "account_sid": sid, "api_version": "2010-04-01", "body": text, "date_created": created,
            "date_sent": None, "date_updated": created, "direction": "outbound-api", "error_code": None,
            "error_message": None, "from": sender, "messaging_service_sid": None, "num_media": "0",
            "num_segments": "1", "price": None, "price_unit": None, "sid": message_sid, "status": "queued",
            "subresource_uris": {"media": "/2010-04-01/Accounts/%s/Messages/%s/Media.json" % (sid, message_sid)},
            "to": to, "uri": "/2010-04-01/Accounts/%s/Messages/%s.json" % (sid, message_sid),
        }
        callback = data.get("StatusCallback")
        reference = None
        if callback:
            reference = (parse_qs(urlsplit(callback).query).get("reference") or [None])[0]
        self.remember("twilio", {"id": message_sid, "reference": reference})
        return self.send(201, message)

    # ---------------------------------------------------------------- Vonage

    def vonage_send(self, body):
        data = form_or_json(body, self.headers.get("Content-Type"))
        user, password = self.basic()
        key = data.get("api_key") or user
        secret = data.get("api_secret") or password
        bad_credentials = {"message-count": "1", "messages": [{"status": "4", "error-text": "Bad Credentials"}]}
        if not key or secret != OPTIONS.token:
            return self.send(401, bad_credentials)
        to = data.get("to")
        if not to:
            return self.send(200, {"message-count": "1", "messages": [{"status": "2", "error-text": "Missing to param"}]})
        if not data.get("from"):
            return self.send(200, {"message-count": "1", "messages": [{"status": "2", "error-text": "Missing from param"}]})
        digit = self.steer(to)
        if digit == "1":
            return self.send(429, {"message-count": "1", "messages": [
                {"status": "1", "error-text": "Throughput Rate Exceeded - please wait [ 2 ] and retry"}]},
                {"Retry-After": "2"})
        if digit == "2":
            return self.send(500, "Internal Server Error", content_type="text/plain")
        if digit == "3":
            return self.send(401, bad_credentials)
        if digit == "4":
            return self.send(200, {"message-count": "1", "messages": [
                {"status": "6", "error-text": "Unroutable message - rejected"}]})
        if digit == "6":
            return self.send(200, {"message-count": "1", "messages": [
                {"status": "9", "error-text": "Quota Exceeded - rejected"}]})
        if digit == "7":
            return self.send(200, {"message-count": "1", "messages": [
                {"status": "1", "error-text": "Throughput Rate Exceeded - please wait [ 2 ] and retry"}]})
        message_id = uuid.uuid4().hex[:16].upper()
        entry = {"to": digits(to), "message-id": message_id, "status": "0", "remaining-balance": "15.53590000",
                 "message-price": "0.03330000", "network": "20408"}
        if data.get("client-ref"):
            entry["client-ref"] = data.get("client-ref")
        self.remember("vonage", {"id": message_id, "reference": data.get("client-ref")})
        return self.send(200, {"message-count": "1", "messages": [entry]})

    # ---------------------------------------------------------------- generic

    def generic_send(self, body):
        data = form_or_json(body, self.headers.get("Content-Type"))
        token = self.bearer() or self.headers.get("X-Api-Key") or data.get("token")
        if token != OPTIONS.token:
            return self.send(401, {"error": "invalid token"})
        to = data.get("to") or data.get("msisdn") or data.get("recipient")
        if not to:
            return self.send(400, {"error": "missing to"})
        digit = self.steer(to)
        if digit == "1":
            return self.send(429, {"error": "rate limited"}, {"Retry-After": "2"})
        if digit == "2":
            return self.send(500, {"error": "internal error"})
        if digit == "3":
            return self.send(401, {"error": "invalid token"})
        if digit == "4":
            return self.send(400, {"error": "invalid msisdn"})
        if digit == "6":
            return self.send(402, {"error": "insufficient balance"})
        message_id = "gen-" + uuid.uuid4().hex[:12]
        self.remember("generic", {"id": message_id, "reference": data.get("reference")})
        return self.send(200, {"id": message_id, "status": "accepted", "messages": [{"id": message_id}]})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global OPTIONS, LOG_FILE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--log", required=True)
    parser.add_argument("--token", default="test-token")
    OPTIONS = parser.parse_args()

    LOG_FILE = open(OPTIONS.log, "a", encoding="utf-8")
    server = Server((OPTIONS.host, OPTIONS.port), Handler)
    port = server.server_address[1]

    def stop(signum, frame):
        try:
            LOG_FILE.flush()
        finally:
            os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    if OPTIONS.port_file:
        tmp = OPTIONS.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, OPTIONS.port_file)
    print(port, flush=True)
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
