#!/usr/bin/env python3
"""Bounded work under load: eight large plan previews at once against a running instance,
while ordinary previews go on. Prints, as JSON: the ordinary preview's median idle and under
load, what each large preview got (status, seconds) and the server's peak resident memory.

    target/release/intervention-planner serve --demo &     # or any running instance
    python3 benches/parallel_previews.py --url http://127.0.0.1:8080 --token TOKEN --pid PID

TOKEN: a case manager's or coordinator's token of team demo-a (`token create`); PID: the
server's process id (for its resident memory). See BENCHMARKS.md for the figures.
"""

import argparse
import copy
import datetime
import json
import statistics
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return response.status, time.perf_counter() - started


def post(url, token, body):
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    return status, time.perf_counter() - started


def ordinary_problem():
    """The demo's example child, planned on team demo-a's stored catalogue and provision."""
    return json.loads((ROOT / "catalogue/demo/example-problem.json").read_text())


def large_problem(base, records, starts_per_record):
    """The same child with a four-year order and a large provision of its own: many records,
    each with many cohort starts (the shape that ran 95 s before solves were bounded)."""
    problem = copy.deepcopy(base)
    start = datetime.date.fromisoformat(problem["order"]["start"])
    problem["order"]["type"] = "youth_rehabilitation_order"
    problem["order"].pop("requirements", None)
    problem["order"]["end"] = (start + datetime.timedelta(days=4 * 365)).isoformat()
    interventions = [
        "knife-crime-programme",
        "gang-exit-group",
        "violence-reduction-group",
        "peer-influence-group",
        "trauma-informed-emotional-health-group",
    ]
    provision = []
    for k in range(records):
        starts = [
            (start + datetime.timedelta(days=7 * w)).isoformat()
            for w in range(starts_per_record)
        ]
        provision.append(
            {
                "id": f"load-{k}",
                "intervention": interventions[k % len(interventions)],
                "provider": "Load test",
                "area": "Holloway",
                "places": 8,
                "starts": starts,
            }
        )
    problem["provision"] = provision
    return problem


def resident_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--token", required=True)
    parser.add_argument("--pid", type=int)
    parser.add_argument("--ordinary", type=int, default=40, help="ordinary previews per phase")
    parser.add_argument("--large", type=int, default=8)
    parser.add_argument("--records", type=int, default=100)
    parser.add_argument("--starts", type=int, default=200)
    parser.add_argument(
        "--caseload",
        help="send this caseload document to /allocations/preview as the large work instead",
    )
    args = parser.parse_args()
    url = f"{args.url}/api/v1/plans/preview"
    ordinary = ordinary_problem()
    if args.caseload:
        large_url = f"{args.url}/api/v1/allocations/preview"
        large = json.loads(Path(args.caseload).read_text())
    else:
        large_url = url
        large = large_problem(ordinary, args.records, args.starts)
    reads = [f"{args.url}/health/live", f"{args.url}/api/v1/needs"]

    idle = [post(url, args.token, ordinary) for _ in range(args.ordinary)]
    assert all(s == 200 for s, _ in idle), idle
    idle_reads = [get(reads[k % 2], args.token) for k in range(args.ordinary)]

    peak = [resident_kib(args.pid) or 0]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], resident_kib(args.pid) or 0)
            time.sleep(0.05)

    large_results = [None] * args.large

    def run_large(k):
        large_results[k] = post(large_url, args.token, large)

    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=run_large, args=(k,)) for k in range(args.large)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    loaded = []
    loaded_reads = []
    while any(t.is_alive() for t in threads) or len(loaded) < args.ordinary:
        loaded.append(post(url, args.token, ordinary))
        loaded_reads.append(get(reads[len(loaded) % 2], args.token))
        if len(loaded) >= 10 * args.ordinary:
            break
    for t in threads:
        t.join()
    done.set()
    watcher.join()

    ordinary_statuses = sorted({s for s, _ in loaded})
    print(
        json.dumps(
            {
                "large_document_bytes": len(json.dumps(large)),
                "ordinary_median_idle_ms": round(statistics.median(t for _, t in idle) * 1000, 1),
                "ordinary_median_loaded_ms": round(
                    statistics.median(t for s, t in loaded if s == 200) * 1000, 1
                ),
                "ordinary_statuses_under_load": ordinary_statuses,
                "reads_median_idle_ms": round(statistics.median(t for _, t in idle_reads) * 1000, 1),
                "reads_median_loaded_ms": round(
                    statistics.median(t for _, t in loaded_reads) * 1000, 1
                ),
                "ordinary_under_load": len(loaded),
                "large": [{"status": s, "seconds": round(t, 2)} for s, t in large_results],
                "peak_resident_mib": round(peak[0] / 1024, 1) if args.pid else None,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
