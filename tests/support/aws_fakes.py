#!/usr/bin/env python3
"""Small local stand-ins for the AWS services dredge's credential chain talks to, behaving as
AWS documents them, for the credential tests (tests/creds/). Python 3 standard library only.

One process serves, on 127.0.0.1:
  * the "service" port:
      PUT  /latest/api/token                          IMDSv2 session token (needs the TTL header)
      GET  /latest/meta-data/iam/security-credentials/[ROLE]   (refused without the token: 401)
      GET  /container/...                             container credentials (checks Authorization
                                                      when --container-token is given: else 401)
      POST /  Action=AssumeRole                       STS, XML answer (signed requests only)
      POST /  Action=AssumeRoleWithWebIdentity        STS, checks --web-identity-token
      GET  /federation/credentials                    SSO portal GetRoleCredentials, checks
                                                      x-amz-sso_bearer_token against --sso-token
  * the "s3" port (with --s3-upstream): a proxy to the S3 test server that refuses requests
    whose x-amz-security-token was not issued here (403 InvalidToken) or has expired
    (400 ExpiredToken), as S3 does, and forwards everything else unchanged.

Every credential handed out has key --key and secret --secret (the S3 test server accepts only
its own pair, so a wrong --secret makes the run fail with its 403), a fresh session token, and
expires --lifetime seconds after it was issued. Each event is appended to --events as one JSON
line ({"event": "issue" | "expired-use" | "refused" | "request", ...}) for the tests to read.
The ports are written to --port-file as JSON once the servers listen.
"""
import argparse
import datetime
import http.client
import http.server
import json
import secrets
import sys
import threading
import time
import urllib.parse

ARGS = None
LOCK = threading.Lock()
ISSUED = {}  # session token -> expiry (epoch seconds)
IMDS_TOKENS = set()


def event(**fields):
    fields["t"] = time.time()
    with LOCK:
        with open(ARGS.events, "a") as f:
            f.write(json.dumps(fields) + "\n")


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def issue(source):
    token = "fake-session-" + secrets.token_hex(16)
    expiry = time.time() + ARGS.lifetime
    with LOCK:
        ISSUED[token] = expiry
    event(event="issue", source=source, token=token)
    return ARGS.key, ARGS.secret, token, expiry


class Service(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def creds_json(self, source):
        key, secret, token, expiry = issue(source)
        return json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": key,
                           "SecretAccessKey": secret, "Token": token,
                           "Expiration": iso(expiry), "LastUpdated": iso(time.time())})

    def do_PUT(self):
        self.body()
        if self.path == "/latest/api/token":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                event(event="refused", source="imds", why="token PUT without TTL header")
                return self.reply(400, "missing TTL header", "text/plain")
            token = "imds-" + secrets.token_hex(16)
            with LOCK:
                IMDS_TOKENS.add(token)
            event(event="request", source="imds", what="token")
            return self.reply(200, token, "text/plain")
        self.reply(404, "not found", "text/plain")

    def do_GET(self):
        path = urllib.parse.urlparse(self.path)
        if path.path.startswith("/latest/meta-data/iam/security-credentials/"):
            return self.imds(path.path)
        if path.path.startswith("/container/"):
            return self.container()
        if path.path == "/federation/credentials":
            return self.sso(urllib.parse.parse_qs(path.query))
        self.reply(404, "not found", "text/plain")

    def imds(self, path):
        with LOCK:
            ok = self.headers.get("X-aws-ec2-metadata-token") in IMDS_TOKENS
        if not ok:  # IMDSv2 only: no token, no answer
            event(event="refused", source="imds", why="no or unknown session token")
            return self.reply(401, "", "text/plain")
        role = path[len("/latest/meta-data/iam/security-credentials/"):]
        if role == "":
            return self.reply(200, "fake-instance-role", "text/plain")
        if role != "fake-instance-role":
            return self.reply(404, "", "text/plain")
        self.reply(200, self.creds_json("imds"))

    def container(self):
        if ARGS.container_token and self.headers.get("Authorization") != ARGS.container_token:
            event(event="refused", source="container", why="wrong Authorization")
            return self.reply(401, json.dumps({"message": "unauthorized"}))
        self.reply(200, self.creds_json("container"))

    def sso(self, query):
        if self.headers.get("x-amz-sso_bearer_token") != ARGS.sso_token:
            event(event="refused", source="sso", why="bad bearer token")
            self.send_response(401)
            data = json.dumps({"message": "Session token not found or invalid"}).encode()
            self.send_header("x-amzn-ErrorType", "UnauthorizedException")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        event(event="request", source="sso", account=query.get("account_id", [""])[0],
              role=query.get("role_name", [""])[0])
        key, secret, token, expiry = issue("sso")
        self.reply(200, json.dumps({"roleCredentials": {
            "accessKeyId": key, "secretAccessKey": secret, "sessionToken": token,
            "expiration": int(expiry * 1000)}}))

    def do_POST(self):
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.body().decode()).items()}
        action = form.get("Action")
        fields = {k: form.get(k, "") for k in
                  ("RoleArn", "RoleSessionName", "ExternalId", "DurationSeconds", "Version")}
        if action == "AssumeRole":
            auth = self.headers.get("Authorization", "")
            if "Credential=" not in auth or not self.headers.get("X-Amz-Date"):
                return self.sts_error(403, "MissingAuthenticationToken", "Request is not signed")
            fields["signed_by"] = auth.split("Credential=")[1].split("/")[0]
            fields["region"] = auth.split("Credential=")[1].split("/")[2]
            fields["security_token"] = self.headers.get("X-Amz-Security-Token", "")
        elif action == "AssumeRoleWithWebIdentity":
            if form.get("WebIdentityToken") != ARGS.web_identity_token:
                return self.sts_error(400, "InvalidIdentityToken", "Token is not valid")
        else:
            return self.sts_error(400, "InvalidAction", "unknown action")
        event(event="request", source="sts", action=action, **fields)
        key, secret, token, expiry = issue("sts")
        result = action + "Result"
        self.reply(200, (
            '<%sResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><%s>'
            "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
            "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
            "<AssumedRoleUser><Arn>%s/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId>"
            "</AssumedRoleUser></%s><ResponseMetadata><RequestId>r-1</RequestId>"
            "</ResponseMetadata></%sResponse>") % (action, result, key, secret, token,
                                                  iso(expiry), form.get("RoleArn", ""),
                                                  result, action), "text/xml")

    def sts_error(self, status, code, message):
        event(event="refused", source="sts", why=code)
        self.reply(status, (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
            "<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
            "<RequestId>r-1</RequestId></ErrorResponse>") % (code, message), "text/xml")


class S3Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def s3_error(self, status, code, message):
        data = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s</Code>"
                "<Message>%s</Message><RequestId>fake</RequestId></Error>" % (code, message)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        token = self.headers.get("x-amz-security-token")
        if token is not None:
            with LOCK:
                expiry = ISSUED.get(token)
            if expiry is None:
                event(event="refused", source="s3", why="unknown token")
                return self.s3_error(403, "InvalidToken", "The provided token is malformed or otherwise invalid.")
            if time.time() > expiry:
                event(event="expired-use", source="s3", token=token)
                return self.s3_error(400, "ExpiredToken", "The provided token has expired.")
        up = urllib.parse.urlparse(ARGS.s3_upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() not in ("connection", "keep-alive"):
                conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                self.send_header(k, v)
        length = resp.getheader("Content-Length")
        self.send_header("Content-Length", length if self.command == "HEAD" and length else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--key", default="S3RVER")
    p.add_argument("--secret", default="S3RVER")
    p.add_argument("--lifetime", type=float, default=3600)
    p.add_argument("--container-token", default="")
    p.add_argument("--web-identity-token", default="")
    p.add_argument("--sso-token", default="")
    p.add_argument("--s3-upstream", default="")
    ARGS = p.parse_args()
    http.server.ThreadingHTTPServer.daemon_threads = True
    service = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Service)
    ports = {"service": service.server_address[1]}
    servers = [service]
    if ARGS.s3_upstream:
        proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), S3Proxy)
        ports["s3"] = proxy.server_address[1]
        servers.append(proxy)
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(ARGS.port_file + ".tmp", "w") as f:
        json.dump(ports, f)
    import os
    os.rename(ARGS.port_file + ".tmp", ARGS.port_file)
    service.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
