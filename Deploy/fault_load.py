#!/usr/bin/env python3
"""Submission load for Deploy/faults: threads POST comments, each with a fresh Idempotency-Key,
and log every acknowledged one (201) as `key<TAB>id` — what the database must hold afterwards.
Runs until the stop file exists. Prints a JSON summary of the statuses seen."""
import json, os, sys, threading, time, urllib.error, urllib.request, uuid

base, ack_path, stop_path = sys.argv[1], sys.argv[2], sys.argv[3]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 8
lock = threading.Lock()
statuses = {}
ack = open(ack_path, "a", buffering=1)


def count(status):
    with lock:
        statuses[status] = statuses.get(status, 0) + 1


def worker():
    while not os.path.exists(stop_path):
        key = str(uuid.uuid4())
        body = json.dumps({"initiative_id": 1, "group": "families", "comment": f"fault test {key}"}).encode()
        request = urllib.request.Request(base + "/api/v1/feedback", data=body, method="POST",
                                         headers={"Content-Type": "application/json", "Idempotency-Key": key})
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                data = json.load(reply)
                count(str(reply.status))
                if reply.status == 201:
                    with lock:
                        ack.write(f"{key}\t{data['id']}\n")
        except urllib.error.HTTPError as error:
            count(str(error.code))
            time.sleep(0.05)
        except Exception:  # refused or reset while the server restarts
            count("no answer")
            time.sleep(0.05)


pool = [threading.Thread(target=worker) for _ in range(threads)]
for t in pool:
    t.start()
for t in pool:
    t.join()
print(json.dumps(statuses, sort_keys=True))
