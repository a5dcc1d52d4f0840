#!/usr/bin/env python3
"""Posts one SMS delivery report to Koerier's listener the way the provider does, signed as the provider signs
(an implementation independent of Koerier's Swift codecs), and prints the HTTP status; or fetches /metrics and
parses it with prometheus_client's text parser.

    dlr_client.py report --listen http://127.0.0.1:PORT --public-url URL --name NAME --kind KIND --secret S
                  --message-id ID --reference REF --status delivered|undelivered [--forge]
    dlr_client.py metrics --listen http://127.0.0.1:PORT       (exit 3 when prometheus_client is not installed)

Signatures: Twilio X-Twilio-Signature (base64 HMAC-SHA1 over URL + sorted name+value, twilio-python
RequestValidator); MessageBird MessageBird-Signature-JWT (HS256, url_hash and payload_hash, nbf/exp); Vonage `sig`
(HMAC-SHA256 over the sorted &name=value string, upper-case hex, with timestamp); CM, Spryng and http: the
URL token in the path. --forge signs with a wrong secret.
"""
import argparse, base64, hashlib, hmac, json, sys, time, urllib.error, urllib.parse, urllib.request


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def build(args):
    secret = ("wrong-" + args.secret) if args.forge else args.secret
    delivered = args.status == "delivered"
    path = "/dlr/" + args.name
    query, form, headers, body = [], None, {}, b""
    if args.kind == "twilio":
        query = [("reference", args.reference)]
        form = [("MessageSid", args.message_id), ("MessageStatus", "delivered" if delivered else "undelivered"),
                ("AccountSid", "AC123")] + ([] if delivered else [("ErrorCode", "30003")])
    elif args.kind == "messagebird":
        query = [("id", args.message_id), ("reference", args.reference), ("recipient", "31612345678"),
                 ("status", "delivered" if delivered else "delivery_failed"), ("statusErrorCode", "" if delivered else "6")]
    elif args.kind == "vonage":
        fields = {"messageId": args.message_id, "msisdn": "31612345678", "to": "Voorbeeld",
                  "status": "delivered" if delivered else "failed", "err-code": "0" if delivered else "12",
                  "client-ref": args.reference, "timestamp": str(int(time.time()))}
        base = "".join("&%s=%s" % (k, fields[k].replace("&", "_").replace("=", "_")) for k in sorted(fields))
        fields["sig"] = hmac.new(secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()
        form = sorted(fields.items())
    elif args.kind == "cm":
        path += "/" + secret
        query = [("reference", args.reference), ("to", "0031612345678"), ("statuscode", "2" if delivered else "3")] + \
                ([] if delivered else [("errorcode", "5"), ("errordescription", "Unknown subscriber")])
    elif args.kind == "spryng":
        path += "/" + secret
        query = [("ID", args.message_id), ("REFERENCE", args.reference), ("STATUS", "10" if delivered else "20")] + \
                ([] if delivered else [("REASONCODE", "1")])
    elif args.kind == "http":
        path += "/" + secret
        form = [("message_id", args.message_id), ("reference", args.reference), ("status", args.status)]
    qs = urllib.parse.urlencode(query)
    full_path = path + ("?" + qs if qs else "")
    public = args.public_url + full_path
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if args.kind == "twilio":
        data = public + "".join(k + v for k, v in sorted(form))
        headers["X-Twilio-Signature"] = base64.b64encode(hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()).decode()
    if args.kind == "messagebird":
        now = int(time.time())
        claims = {"iss": "MessageBird", "nbf": now, "exp": now + 60, "jti": "e2e-%d" % now,
                  "url_hash": hashlib.sha256(public.encode()).hexdigest()}
        if body:
            claims["payload_hash"] = hashlib.sha256(body).hexdigest()
        head = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64u(json.dumps(claims).encode())
        headers["MessageBird-Signature-JWT"] = head + "." + b64u(hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest())
    method = "POST" if form is not None else "GET"
    return urllib.request.Request(args.listen + full_path, data=body if method == "POST" else None, headers=headers, method=method)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["report", "metrics"])
    parser.add_argument("--listen", required=True)
    for name in ["public-url", "name", "kind", "secret", "message-id", "reference", "status"]:
        parser.add_argument("--" + name, default="")
    parser.add_argument("--forge", action="store_true")
    args = parser.parse_args()
    if args.mode == "metrics":
        try:
            from prometheus_client.parser import text_string_to_metric_families
        except ImportError:
            print("prometheus_client is not installed")
            return 3
        text = urllib.request.urlopen(args.listen + "/metrics", timeout=10).read().decode()
        names = sorted(family.name for family in text_string_to_metric_families(text))
        print(" ".join(names))
        return 0
    try:
        with urllib.request.urlopen(build(args), timeout=10) as response:
            print(response.status)
    except urllib.error.HTTPError as error:
        print(error.code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
