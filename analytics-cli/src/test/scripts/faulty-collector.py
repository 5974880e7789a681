"""Like collector.py, but one batch in ten gets 503, one in twenty is dropped unanswered, and one in
twenty is accepted but its answer lost (the client retries it; messageIds keep the count exact)."""
import gzip, json, os, random, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
lock = threading.Lock()
stats = {"requests": 0, "answered": 0, "messages": 0, "ids": set(), "faults": {}}
random.seed(7)
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        batch = json.loads(body)["batch"]
        r = random.random()
        with lock:
            stats["requests"] += 1
        if batch and r < 0.10:
            with lock: stats["faults"]["503"] = stats["faults"].get("503", 0) + 1
            return self.answer(503, b'{}')
        if batch and r < 0.15:
            with lock: stats["faults"]["drop-before"] = stats["faults"].get("drop-before", 0) + 1
            self.close_connection = True
            self.connection.close(); return
        with lock:
            stats["answered"] += 1
            stats["messages"] += len(batch)
            for m in batch: stats["ids"].add(m["messageId"])
        if batch and r < 0.20:
            # accepted, but the answer is lost: the client must retry, the API dedupes
            with lock: stats["faults"]["drop-after"] = stats["faults"].get("drop-after", 0) + 1
            self.close_connection = True
            self.connection.close(); return
        self.answer(200, b'{"success":true}')
    def do_GET(self):
        with lock:
            out = json.dumps({"requests": stats["requests"], "messages": stats["messages"], "distinct_ids": len(stats["ids"]), "faults": stats["faults"]}).encode()
        self.answer(200, out)
    def answer(self, code, out):
        self.send_response(code); self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
print("faulty collector pid %d on http://127.0.0.1:%s" % (os.getpid(), sys.argv[1]), flush=True)
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
