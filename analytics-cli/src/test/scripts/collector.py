"""A minimal Segment-compatible collector on 127.0.0.1, for trying the importer.

python3 collector.py PORT      POST /v1/batch answers 200 {"success":true};
                               GET / shows requests, messages, distinct messageIds and the
                               context.library names seen.
"""
import gzip
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
stats = {"requests": 0, "messages": 0, "ids": set(), "libraries": {}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real collector

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        batch = json.loads(body)["batch"]
        with lock:
            stats["requests"] += 1
            stats["messages"] += len(batch)
            for m in batch:
                stats["ids"].add(m["messageId"])
                name = m.get("context", {}).get("library", {}).get("name")
                stats["libraries"][name] = stats["libraries"].get(name, 0) + 1
        self.answer(b'{"success":true}')

    def do_GET(self):
        with lock:
            out = {"requests": stats["requests"], "messages": stats["messages"],
                   "distinct_ids": len(stats["ids"]), "libraries": stats["libraries"]}
        self.answer(json.dumps(out).encode())

    def answer(self, out):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


print("collector pid %d on http://127.0.0.1:%s" % (os.getpid(), sys.argv[1]), flush=True)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
