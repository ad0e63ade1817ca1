#!/usr/bin/env python3
"""The managers' reports against a running instance with the demo loaded: the provision-gap
picture (JSON, CSV, each chart) and the what-if of 8 gang-exit places, each timed N times.
Prints, as JSON, the median and the slowest of each, and the what-if's two solver times.

    target/release/intervention-planner serve --demo &
    MGR=$(target/release/intervention-planner token create --team demo-a --role manager)
    python3 benches/reports.py --url http://127.0.0.1:8080 --token "$MGR" --runs 5

See BENCHMARKS.md for the figures.
"""

import argparse
import datetime
import json
import statistics
import time
import urllib.request


def call(url, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method="POST" if body is not None else "GET",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - started, text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--token", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    base = args.url.rstrip("/") + "/api/v1/reports"
    may = (datetime.date.today() + datetime.timedelta(days=150)).isoformat()
    what_if = {"changes": [{"change": "add_places", "intervention": "gang-exit-mentoring",
                            "places": 8, "from": may, "area": "Holloway", "outreach": True}]}
    routes = {
        "provision-gaps": (f"{base}/provision-gaps", None),
        "provision-gaps.csv": (f"{base}/provision-gaps.csv", None),
        "chart unmet-demand": (f"{base}/provision-gaps/charts/unmet-demand", None),
        "chart funnel": (f"{base}/provision-gaps/charts/funnel", None),
        "what-if": (f"{base}/what-if", what_if),
    }
    out = {}
    for name, (url, body) in routes.items():
        times, solver = [], []
        for _ in range(args.runs):
            seconds, text = call(url, args.token, body)
            times.append(seconds)
            if body is not None:
                answer = json.loads(text)
                solver.append([answer["today"]["seconds"], answer["with_changes"]["seconds"]])
        out[name] = {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}
        if solver:
            out[name]["solver_s"] = solver
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
