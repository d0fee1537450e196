#!/usr/bin/env python3
"""A fake S3 endpoint that answers ListMultipartUploads in pages, for the driver's paging test.

Prints its port on stdout, then serves until killed. Prefix "p/": two pages (the second asked for
with key-marker=p/k1 and upload-id-marker=u1, anything else is 400). Prefix "loop/": every page
names the same markers, which a client must refuse instead of paging forever.
"""
import http.server
import sys
import urllib.parse

UPLOAD = "<Upload><Key>{k}</Key><UploadId>{u}</UploadId><Initiated>2024-01-02T03:04:05.000Z</Initiated></Upload>"


def page(uploads, truncated, key_marker="", id_marker=""):
    body = "".join(UPLOAD.format(k=k, u=u) for k, u in uploads)
    more = f"<NextKeyMarker>{key_marker}</NextKeyMarker><NextUploadIdMarker>{id_marker}</NextUploadIdMarker>" if truncated else ""
    return f'<?xml version="1.0"?><ListMultipartUploadsResult><IsTruncated>{str(truncated).lower()}</IsTruncated>{more}{body}</ListMultipartUploadsResult>'


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query, keep_blank_values=True)
        one = lambda n: q.get(n, [""])[0]
        prefix, km, um = one("prefix"), one("key-marker"), one("upload-id-marker")
        status, body = 400, "<Error><Code>InvalidArgument</Code></Error>"
        if "uploads" in q and prefix == "p/" and km == "" and um == "":
            status, body = 200, page([("p/k1", "u1")], True, "p/k1", "u1")
        elif "uploads" in q and prefix == "p/" and km == "p/k1" and um == "u1":
            status, body = 200, page([("p/k2", "u2")], False)
        elif "uploads" in q and prefix == "loop/":
            status, body = 200, page([("loop/k", "u")], True, "loop/k", "u")
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
