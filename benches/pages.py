#!/usr/bin/env python3
"""The pages against a running instance with the demo loaded: signs in as a demo user (with the
password `serve --demo` printed) and times each page N times; also how long a sign-in takes
(one argon2id verification). Prints, as JSON, the median and the slowest of each.

    target/release/intervention-planner serve --demo        # note a sign-in it prints
    python3 benches/pages.py --user demo-a:case-manager-2 --password demo-… --runs 20
    python3 benches/pages.py --user demo-a:manager --password demo-… --pages /gaps /reviews

See BENCHMARKS.md for the figures.
"""

import argparse
import http.client
import json
import re
import statistics
import time
import urllib.parse


def request(host, port, method, path, cookie=None, body=None):
    connection = http.client.HTTPConnection(host, port, timeout=120)
    headers = {"Accept": "text/html"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    took = time.perf_counter() - started
    return took, response, text


def summary(times):
    return {"median_ms": round(statistics.median(times) * 1000, 1), "max_ms": round(max(times) * 1000, 1)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pages", nargs="*", default=None)
    args = parser.parse_args()
    parsed = urllib.parse.urlparse(args.url)
    host, port = parsed.hostname, parsed.port or 80
    form = urllib.parse.urlencode({"user": args.user, "password": args.password})
    sign_ins, cookie = [], None
    for _ in range(3):
        took, response, _ = request(host, port, "POST", "/sign-in", body=form)
        assert response.status == 303, response.status
        cookie = response.getheader("Set-Cookie").split(";")[0]
        sign_ins.append(took)
    pages = args.pages
    if pages is None:
        _, _, caseload = request(host, port, "GET", "/caseload", cookie)
        child = re.search(r'href="(/children/[0-9a-f-]{36})"', caseload)
        pages = ["/caseload", "/catalogue"] + ([child.group(1)] if child else [])
        if child:
            _, _, record = request(host, port, "GET", child.group(1), cookie)
            plan = re.search(r'href="(/children/[0-9a-f-]{36}/plans/[0-9a-f-]{36})"', record)
            if plan:
                pages.append(plan.group(1))
    out = {"sign_in": summary(sign_ins)}
    for path in pages:
        times = []
        for _ in range(args.runs):
            took, response, _ = request(host, port, "GET", path, cookie)
            assert response.status == 200, (path, response.status)
            times.append(took)
        name = re.sub(r"[0-9a-f-]{36}", "{id}", path)
        out[name] = summary(times)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
