"""Writes 300,000 lines of all six message types, shaped like a Segment export: python3 make-events.py FILE [COUNT]."""
import json, random, sys
random.seed(10)
types = ["identify", "track", "page", "screen", "group", "alias"]
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2]) if len(sys.argv) > 2 else 300_000):
        t = types[i % 6]
        ts = "2025-%02d-%02dT%02d:%02d:%02d.%03dZ" % (i % 12 + 1, i % 28 + 1, i % 24, i % 60, (i * 7) % 60, i % 1000)
        m = {"type": t, "userId": "usr_%d" % (i % 5000), "timestamp": ts, "receivedAt": ts}
        if i % 3 == 0:
            m["context"] = {"ip": "203.0.113.%d" % (i % 250), "library": {"name": "analytics.js", "version": "4.1.0"}}
        if t == "identify":
            m["traits"] = {"email": "user%d@example.org" % i, "plan": random.choice(["free", "team", "enterprise"])}
        elif t == "track":
            m["event"] = random.choice(["Order Completed", "Signed Up", "Clicked"])
            m["properties"] = {"revenue": round(random.random() * 100, 2), "currency": "EUR", "items": i % 7}
        elif t == "page":
            m["name"] = "Pricing"; m["category"] = "Marketing"; m["properties"] = {"path": "/pricing", "n": i}
        elif t == "screen":
            m["name"] = "Checkout"; m["properties"] = {"variant": "b", "n": i}
        elif t == "group":
            m["groupId"] = "acct_%d" % (i % 700); m["traits"] = {"name": "Example %d" % i, "employees": i % 500}
        elif t == "alias":
            m["previousId"] = "anon_%d" % i
        f.write(json.dumps(m, separators=(",", ":")) + "\n")
