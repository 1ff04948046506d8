#!/usr/bin/env python3
"""`make bench`: the customer's first visit, the portal's hot path under load, the vendor
import's speed and memory, and the portal's invoice paging with 10,000 invoices, on SQLite
and PostgreSQL.

The hot path: one customer with 100 invoices; the first page of their invoice list is
fetched by wrk (2 threads, 64 connections, 10 s) through a portal session, and, in the
same run, from a bare axum handler (server/examples/bare.rs) answering the same bytes. The
same list is then measured while the server imports 100,000 lines, and the server's memory
is read idle and with 1,000 connections open.

The first visit: a release server over a fresh SQLite file, one customer with 100
invoices, and portal links to the invoices tab and to the overview (whose code is split
out) opened in Chromium (end2end/bench/first-visit.mjs). For each it reports the bytes on
the wire by type for a first visit (empty cache) and a repeat visit (a new link in the same
browser), and the time from navigation to the tab's first content (the first invoice row,
the first figure) against a static copy of the same rendered page served on this machine.

For each backend a fresh release server imports 110,001 NDJSON lines (20,000 customers,
80,000 invoices with two lines each, and one customer with 10,000 invoices) in one request.
Two baselines are measured in the same run: the same rows written into a fresh database with
plain multi-row INSERTs through sqlx, 500 records per transaction (server/examples/
batched_insert.rs: what the database can take), and records written one `PUT` at a time over
a kept-alive connection (the way a vendor would sync without the import). Results are
ratios against them, plus the server's peak resident memory, which shows the import streams.

Webhook delivery lag: a release server with one endpoint posting to a receiver in this
script; 1,000 portal links are made by 4 threads as fast as the server takes them, each a
`portal_session.created` event, and the lag is the time from the event's `created_at` to
its arrival at the receiver (p50, p99), on each backend. The baseline is the same receiver
answering the same body posted straight from here, one request at a time.

The same import gives one customer 10,000 invoices. Through a portal session, every page
of 25 is then fetched by following the cursors; the baseline is the first page. Pages deep
in the list, a sorted list and a filtered search are reported as median latency ratios
against it: keyset paging should keep the last page as cheap as the first.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("BENCH_BIN") or os.path.join(os.environ["CARGO_TARGET_DIR"], "release", "portico")
BARE = os.path.join(os.environ["CARGO_TARGET_DIR"], "release", "examples", "bare")
BATCHED = os.path.join(os.environ["CARGO_TARGET_DIR"], "release", "examples", "batched_insert")
PG_BASE = os.environ.get("PG_BASE", "postgres://postgres@127.0.0.1:5432")
LINES = int(os.environ.get("BENCH_LINES", "100000"))
BASELINE_PUTS = int(os.environ.get("BENCH_PUTS", "2000"))
BIG = int(os.environ.get("BENCH_BIG_CUSTOMER", "10000"))
STATUSES = ["paid", "open", "overdue", "partially_paid", "void"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ndjson(path):
    customers = LINES // 5
    with open(path, "w") as f:
        for n in range(customers):
            f.write(json.dumps({"type": "customer", "id": f"c{n}", "data": {"name": f"Customer {n}", "email": f"c{n}@example.com"}}) + "\n")
        for n in range(LINES - customers):
            f.write(json.dumps({"type": "invoice", "id": f"i{n}", "data": {
                "customer_id": f"c{n % customers}", "number": f"INV-{n}", "status": "paid", "currency": "EUR",
                "total": 11900, "amount_due": 0, "issued_at": "2026-01-01T00:00:00Z",
                "lines": [{"description": "Plan", "quantity": 1, "unit_amount": 10000, "amount": 10000},
                          {"description": "VAT", "quantity": 1, "unit_amount": 1900, "amount": 1900}]}}) + "\n")
        f.write(json.dumps({"type": "customer", "id": "big", "data": {"name": "Big customer"}}) + "\n")
        for n in range(BIG):
            day = 1_700_000_000 + n * 3600
            total = 1000 + (n * 7919) % 100000
            f.write(json.dumps({"type": "invoice", "id": f"big{n}", "data": {
                "customer_id": "big", "number": f"B-{n:05}", "status": STATUSES[n % len(STATUSES)], "currency": "EUR",
                "total": total, "amount_due": 0,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(day)), "lines": []}}) + "\n")


def status_mib(pid, field):
    """A memory figure of /proc/<pid>/status, in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib(pid):
    return status_mib(pid, "VmHWM")


def rss_mib(pid):
    return status_mib(pid, "VmRSS")


def batched_baseline(database_url, data_path):
    """Lines/s of plain multi-row INSERTs of the same rows into a fresh database."""
    env = dict(os.environ, PORTICO_DATABASE_URL=database_url)
    org = json.loads(subprocess.check_output([BIN, "org", "create", "--name", "Baseline"], env=env))
    return float(subprocess.check_output([BATCHED, database_url, org["organisation"], data_path], text=True))


def run(backend, database_url, baseline_url, data_path, size_mib):
    port = free_port()
    env = dict(os.environ, PORTICO_DATABASE_URL=database_url, PORTICO_ADDR=f"127.0.0.1:{port}", PORTICO_LOG="warn")
    org = json.loads(subprocess.check_output([BIN, "org", "create", "--name", "Bench"], env=env))
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        headers = {"organisation": org["organisation"], "X-API-KEY": org["api_key"]}
        rss_idle = peak_rss_mib(server.pid)

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        started = time.perf_counter()
        for n in range(BASELINE_PUTS):
            body = json.dumps({"name": f"Put {n}", "email": f"p{n}@example.com"})
            conn.request("PUT", f"/v1/customers/p{n}", body, dict(headers, **{"Content-Type": "application/json"}))
            response = conn.getresponse()
            response.read()
            assert response.status == 201, response.status
        put_rate = BASELINE_PUTS / (time.perf_counter() - started)

        with open(data_path, "rb") as body:
            started = time.perf_counter()
            conn.request("POST", "/v1/import", body, dict(headers, **{"Content-Type": "application/x-ndjson"}))
            response = conn.getresponse()
            report = json.loads(response.read())
            elapsed = time.perf_counter() - started
        assert response.status == 200 and report["accepted"] == LINES + BIG + 1, report
        rss_peak = peak_rss_mib(server.pid)
        paging = portal_paging(conn, headers)
    finally:
        server.terminate()
        server.wait()
    lines = LINES + BIG + 1
    import_rate = lines / elapsed
    batched = batched_baseline(baseline_url, data_path)
    print(f"{backend:9} import {lines:,} lines ({size_mib:.0f} MiB) in {elapsed:6.1f} s = {import_rate:8,.0f} lines/s"
          f" = {import_rate / batched * 100:.0f} % of plain batched INSERTs through sqlx ({batched:,.0f} lines/s);"
          f" one-PUT-at-a-time baseline {put_rate:6,.0f} records/s, ratio {import_rate / put_rate:4.1f}x;"
          f" server peak RSS {rss_peak:.0f} MiB (idle {rss_idle:.0f} MiB)")
    print(f"{'':9} portal, {BIG:,} invoices of one customer, pages of 25: first page {paging['first']:.2f} ms (baseline);"
          f" pages past #{paging['deep_from']} {paging['deep'] / paging['first']:.2f}x;"
          f" the last page {paging['last'] / paging['first']:.2f}x; sorted by total {paging['sorted'] / paging['first']:.2f}x;"
          f" status filter + number search {paging['search'] / paging['first']:.2f}x")


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def timed_get(conn, path, token):
    started = time.perf_counter()
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status == 200, (response.status, body[:200])
    return elapsed, json.loads(body)


def portal_paging(conn, headers):
    """Median latencies (ms) of the big customer's invoice pages, walked by cursor."""
    conn.request("POST", "/v1/portal_sessions", json.dumps({"external_id": "big"}),
                 dict(headers, **{"Content-Type": "application/json"}))
    response = conn.getresponse()
    created = json.loads(response.read())
    assert response.status == 201, created
    token = created["url"].split("?")[0].rsplit("/", 1)[1]
    conn.request("POST", "/api/v1/session/exchange", json.dumps({"token": token}), {"Content-Type": "application/json"})
    response = conn.getresponse()
    session = json.loads(response.read())["session_token"]

    base = "/api/v1/portal/invoices?limit=25"
    for _ in range(5):
        timed_get(conn, base, session)
    first = median([timed_get(conn, base, session)[0] for _ in range(30)])
    walked, path = [], base
    while True:
        elapsed, page = timed_get(conn, path, session)
        walked.append(elapsed)
        if not page["next_cursor"]:
            break
        path = f"{base}&cursor={page['next_cursor']}"
    assert len(walked) == (BIG + 24) // 25, len(walked)
    deep_from = int(len(walked) * 0.9)
    last = median([timed_get(conn, path, session)[0] for _ in range(30)])
    sorted_path = f"{base}&sort=total&order=asc"
    sorted_ms = median([timed_get(conn, sorted_path, session)[0] for _ in range(30)])
    search_path = f"{base}&status=paid,open&q=B-09"
    search_ms = median([timed_get(conn, search_path, session)[0] for _ in range(30)])
    return {"first": first, "deep": median(walked[deep_from:]), "deep_from": deep_from, "last": last,
            "sorted": sorted_ms, "search": search_ms}


def first_visit(work):
    """The customer's side: bytes on the wire and time to the first invoice row."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PORTICO_DATABASE_URL=f"sqlite://{work}/visit.db", PORTICO_ADDR=f"127.0.0.1:{port}",
               PORTICO_PUBLIC_URL=base, PORTICO_LOG="warn", PORTICO_EXCHANGE_LIMIT_PER_MINUTE="1000")
    org = json.loads(subprocess.check_output([BIN, "org", "create", "--name", "Bench", "--return-origin", base], env=env))
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        headers = {"organisation": org["organisation"], "X-API-KEY": org["api_key"],
                   "Content-Type": "application/x-ndjson"}
        lines = [json.dumps({"type": "customer", "id": "visitor", "data": {"name": "Visitor Ltd", "email": "v@example.com"}})]
        for n in range(100):
            lines.append(json.dumps({"type": "invoice", "id": f"v{n}", "data": {
                "customer_id": "visitor", "number": f"V-{n:03}", "status": STATUSES[n % len(STATUSES)],
                "currency": "EUR", "total": 1000 + n * 137, "amount_due": 0, "due_date": "2026-03-01",
                "period_start": "2026-01-01", "period_end": "2026-01-31",
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_760_000_000 + n * 86400)),
                "lines": [{"description": "Plan", "quantity": 1, "unit_amount": 1000, "amount": 1000}]}}))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/v1/import", "\n".join(lines) + "\n", headers)
        response = conn.getresponse()
        report = json.loads(response.read())
        assert response.status == 200 and report["accepted"] == 101, report
        results = [json.loads(subprocess.check_output(
            ["node", "bench/first-visit.mjs", base, org["organisation"], org["api_key"], "visitor", section],
            cwd=os.path.join(os.path.dirname(__file__), "..", "end2end"))) for section in ("invoices", "overview")]
        scores = lighthouse(base, org)
    finally:
        server.terminate()
        server.wait()
    for result in results:
        report_first_visit(result, scores if result["section"] == "invoices" else None)


def lighthouse(base, org):
    """Lighthouse's mobile preset on the invoices tab, each run through a fresh link: the
    run with the median performance score of LIGHTHOUSE_RUNS (3), and every run's scores,
    as one run's score moves by several points with what else the machine is doing."""
    cli = os.environ.get("LIGHTHOUSE")
    if not cli:
        return None
    runs = []
    for _ in range(int(os.environ.get("LIGHTHOUSE_RUNS", "3"))):
        run = lighthouse_once(cli, base, org)
        if run is None:
            return None
        runs.append(run)
    runs.sort(key=lambda run: run["performance"])
    middle = dict(runs[len(runs) // 2])
    middle["runs"] = [(run["performance"], run["accessibility"]) for run in runs]
    return middle


def lighthouse_once(cli, base, org):
    conn = http.client.HTTPConnection(base.split("//")[1], timeout=60)
    conn.request("POST", "/v1/portal_sessions",
                 json.dumps({"external_id": "visitor", "return_url": f"{base}/", "section": "invoices"}),
                 {"organisation": org["organisation"], "X-API-KEY": org["api_key"], "Content-Type": "application/json"})
    url = json.loads(conn.getresponse().read())["url"]
    flags = " ".join(["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync"])
    out = subprocess.run([cli, url, "--output=json", "--quiet", "--only-categories=performance,accessibility",
                          f"--chrome-flags={flags}"], capture_output=True, text=True,
                         env=dict(os.environ, CHROME_PATH=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")))
    if out.returncode != 0:
        print(f"lighthouse failed: {out.stderr[-500:]}")
        return None
    report = json.loads(out.stdout)
    audits = report["audits"]
    # Where the blocking time comes from: the main thread's longest tasks (as Lighthouse
    # times them on its throttled phone), each with the file it is charged to.
    tasks = (audits.get("long-tasks", {}).get("details") or {}).get("items", [])
    return {
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "metrics": {k: audits[k]["displayValue"] for k in
                    ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                     "cumulative-layout-shift", "speed-index")},
        "long_tasks": [f"{task['duration']:.0f} ms at {task['startTime']:.0f} ms ({task['url'].rsplit('/', 1)[-1] or 'page'})"
                       for task in tasks[:4]],
    }


def report_first_visit(result, scores):
    kb = lambda n: f"{n / 1000:.1f} KB"
    section = result["section"]
    content = {"invoices": "first invoice row", "overview": "first figure"}[section]
    print(f"{section}: a link to the {section} tab")
    for name in ("first", "repeat"):
        visit = result[name]
        parts = ", ".join(f"{kind} {kb(size)}" for kind, size in sorted(visit["byType"].items()))
        print(f"{name + ' visit':13} {kb(visit['total']):>9} on the wire ({parts});"
              f" {content} on screen at {visit['firstRowMs']:.0f} ms (in the document at"
              f" {visit['inDocumentMs']:.0f} ms); the app live at {visit['liveMs']:.0f} ms;"
              f" encodings {visit['encodings']}")
    # On screen is what the customer sees; in the document, a static page has its rows
    # before its stylesheet lets the browser draw them.
    static, static_doc = result["staticFirstRowMs"], result["staticInDocumentMs"]
    print(f"{'':13} static copy of the same page: {content} on screen at {static:.0f} ms (baseline),"
          f" in the document at {static_doc:.0f} ms; on screen first visit"
          f" {result['first']['firstRowMs'] / static:.2f}x, repeat visit"
          f" {result['repeat']['firstRowMs'] / static:.2f}x; in the document first visit"
          f" {result['first']['inDocumentMs'] / static_doc:.2f}x (medians of {result['runs']} visits)")
    phone = result["phone"]
    print(f"{'phone':13} over a phone's connection (150 ms, 1.6 Mbit/s), first visit: {content} on screen at"
          f" {phone['firstRowMs']:.0f} ms, static copy {phone['staticFirstRowMs']:.0f} ms:"
          f" {phone['firstRowMs'] / phone['staticFirstRowMs']:.2f}x; in the document"
          f" {phone['inDocumentMs']:.0f} ms against {phone['staticInDocumentMs']:.0f} ms:"
          f" {phone['inDocumentMs'] / phone['staticInDocumentMs']:.2f}x; the app live at {phone['liveMs']:.0f} ms"
          f" (medians of {phone['runs']} visits)")
    if scores:
        print(f"{'lighthouse':13} mobile preset, invoices tab through a link, median of {len(scores['runs'])} runs:"
              f" performance {scores['performance']}, accessibility {scores['accessibility']}; {scores['metrics']};"
              f" every run (performance, accessibility): {scores['runs']}; longest tasks of that run:"
              f" {', '.join(scores['long_tasks']) or 'none'}")


def wrk(url, headers=(), seconds=10, connections=64):
    """Requests/s, p50 and p99 (ms) of `wrk` against one URL."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.check_output(args + [url], text=True)
    rate = float(out.split("Requests/sec:")[1].split()[0])
    non_2xx = "Non-2xx" in out
    latency = {}
    for line in out.split("Latency Distribution")[1].splitlines()[1:5]:
        pct, value = line.split()
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
        unit = value.lstrip("0123456789.")
        latency[pct] = float(value[: len(value) - len(unit)]) * scale[unit]
    assert not non_2xx, out
    return rate, latency["50%"], latency["99%"]


def hot_path(work):
    """A customer's invoice list under load: the portal against a bare axum handler
    answering the same bytes, both measured here with wrk (2 threads, 64 connections)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PORTICO_DATABASE_URL=f"sqlite://{work}/hot.db", PORTICO_ADDR=f"127.0.0.1:{port}",
               PORTICO_PUBLIC_URL=base, PORTICO_LOG="warn")
    org = json.loads(subprocess.check_output([BIN, "org", "create", "--name", "Bench"], env=env))
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare_port = free_port()
    bare = None
    try:
        wait_for_port(port)
        headers = {"organisation": org["organisation"], "X-API-KEY": org["api_key"]}
        lines = [json.dumps({"type": "customer", "id": "hot", "data": {"name": "Hot Ltd"}})]
        for n in range(100):
            lines.append(json.dumps({"type": "invoice", "id": f"h{n}", "data": {
                "customer_id": "hot", "number": f"H-{n:03}", "status": STATUSES[n % len(STATUSES)],
                "currency": "EUR", "total": 1000 + n * 137, "amount_due": 0, "due_date": "2026-03-01",
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_760_000_000 + n * 86400)),
                "lines": [{"description": "Plan", "quantity": 1, "unit_amount": 1000, "amount": 1000}]}}))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/v1/import", "\n".join(lines) + "\n", dict(headers, **{"Content-Type": "application/x-ndjson"}))
        response = conn.getresponse()
        assert response.status == 200, response.read()
        response.read()
        conn.request("POST", "/v1/portal_sessions", json.dumps({"external_id": "hot", "idle_timeout": 86400}),
                     dict(headers, **{"Content-Type": "application/json"}))
        created = json.loads(conn.getresponse().read())
        token = created["url"].split("?")[0].rsplit("/", 1)[1]
        conn.request("POST", "/api/v1/session/exchange", json.dumps({"token": token}), {"Content-Type": "application/json"})
        session = json.loads(conn.getresponse().read())["session_token"]
        path = "/api/v1/portal/invoices"
        conn.request("GET", path, headers={"Authorization": f"Bearer {session}"})
        page = conn.getresponse().read()
        answer = os.path.join(work, "page.json")
        with open(answer, "wb") as f:
            f.write(page)
        bare = subprocess.Popen([BARE, f"127.0.0.1:{bare_port}", answer])
        wait_for_port(bare_port)
        rss_idle = rss_mib(server.pid)
        auth = [f"Authorization: Bearer {session}"]
        wrk(f"{base}{path}", auth, seconds=2)
        portal = wrk(f"{base}{path}", auth)
        baseline = wrk(f"http://127.0.0.1:{bare_port}{path}")
        # As a browser asks for it: compressed on the way out.
        portal_br = wrk(f"{base}{path}", auth + ["Accept-Encoding: br, gzip"])
        rss = peak_rss_mib(server.pid)
        rss_open = with_open_connections(port, 1000, lambda: rss_mib(server.pid))
        during = during_import(work, port, headers, f"{base}{path}", auth)
    finally:
        server.terminate()
        server.wait()
        if bare:
            bare.terminate()
            bare.wait()
    print(f"hot path  invoice list ({len(page) / 1000:.1f} KB), wrk 2 threads 64 connections, SQLite:"
          f" {portal[0]:,.0f} requests/s = {portal[0] / baseline[0] * 100:.1f} % of a bare axum handler"
          f" ({baseline[0]:,.0f}/s); p50 {portal[1]:.2f} ms, p99 {portal[2]:.2f} ms"
          f" (bare: p50 {baseline[1]:.2f} ms, p99 {baseline[2]:.2f} ms); server peak RSS {rss:.0f} MiB")
    print(f"{'':9} with Accept-Encoding: br, gzip (as browsers ask): {portal_br[0]:,.0f} requests/s,"
          f" p50 {portal_br[1]:.2f} ms, p99 {portal_br[2]:.2f} ms")
    rate, p50, p99, lines, overlapped = during
    print(f"{'':9} while importing {lines:,} lines ({'the whole time' if overlapped else 'NOT the whole time'}):"
          f" {rate:,.0f} requests/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms = {p99 / portal[2]:.2f}x the idle p99")
    print(f"{'':9} server RSS idle {rss_idle:.1f} MiB; with 1,000 connections open {rss_open:.1f} MiB")


def during_import(work, port, headers, url, auth):
    """wrk on the invoice list while another connection imports 110,001 lines."""
    import threading
    data = os.path.join(work, "during.ndjson")
    ndjson(data)
    lines = sum(1 for _ in open(data))
    done = threading.Event()

    def send():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        with open(data, "rb") as body:
            conn.request("POST", "/v1/import", body, dict(headers, **{"Content-Type": "application/x-ndjson"}))
            response = conn.getresponse()
            response.read()
        assert response.status == 200, response.status
        done.set()

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(0.5)
    rate, p50, p99 = wrk(url, auth, seconds=3)
    overlapped = not done.is_set()
    sender.join()
    return rate, p50, p99, lines, overlapped


def with_open_connections(port, count, measure):
    """`measure()` while `count` keep-alive connections, each past one request, stay open."""
    conns = []
    try:
        for _ in range(count):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/v1/health")
            conn.getresponse().read()
            conns.append(conn)
        time.sleep(0.5)
        return measure()
    finally:
        for conn in conns:
            conn.close()


def wait_for_port(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no server on port {port}")


def main():
    import resource
    # A thousand open connections need more descriptors than the usual 1,024, here and in
    # the servers started from here.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    only = os.environ.get("BENCH_ONLY")
    parts = {"first-visit": first_visit, "hot-path": hot_path, "import": imports, "webhooks": webhooks}
    if only and only not in parts:
        sys.exit(f"BENCH_ONLY is one of {', '.join(parts)}")
    # The runs' databases go with the run.
    with tempfile.TemporaryDirectory(prefix="portico-bench-") as work:
        for name, part in parts.items():
            if not only or only == name:
                part(work)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


class Receiver:
    """A vendor's webhook endpoint: notes when each event arrived, answers 204."""

    def __init__(self):
        import http.server
        import threading
        arrivals = self.arrivals = {}
        bodies = self.bodies = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                arrivals.setdefault(json.loads(body)["id"], time.time())
                bodies.append(body)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def webhook_lag(backend, database_url, work, events=1000):
    """Portal links made as fast as 4 clients can, each an event delivered to a receiver."""
    import datetime
    import threading
    receiver = Receiver()
    port = free_port()
    env = dict(os.environ, PORTICO_DATABASE_URL=database_url, PORTICO_ADDR=f"127.0.0.1:{port}",
               PORTICO_PUBLIC_URL=f"http://127.0.0.1:{port}", PORTICO_LOG="warn",
               PORTICO_WEBHOOK_ALLOWED_HOSTS="127.0.0.1", PORTICO_EXCHANGE_LIMIT_PER_MINUTE="100000")
    org = json.loads(subprocess.check_output([BIN, "org", "create", "--name", "Hooks"], env=env))
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        headers = {"organisation": org["organisation"], "X-API-KEY": org["api_key"],
                   "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("PUT", "/v1/customers/c1", json.dumps({"name": "Hook Ltd"}), headers)
        assert conn.getresponse().read() is not None
        conn.request("POST", "/v1/webhook_endpoints",
                     json.dumps({"url": receiver.url, "events": ["portal_session.created"]}), headers)
        response = conn.getresponse()
        assert response.status == 201, response.read()
        response.read()

        def make(count, per_second):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.time()
            for n in range(count):
                if per_second:
                    time.sleep(max(0.0, start + n / per_second - time.time()))
                c.request("POST", "/v1/portal_sessions", json.dumps({"external_id": "c1"}), headers)
                r = c.getresponse()
                r.read()
                assert r.status == 201, r.status

        def measure(per_second):
            """`events` events from 4 clients, as fast as they go or at `per_second` in all."""
            receiver.arrivals.clear()
            receiver.bodies.clear()
            started = time.time()
            threads = [threading.Thread(target=make, args=(events // 4, per_second and per_second / 4))
                       for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            made = time.time() - started
            deadline = time.time() + 120
            while len(receiver.arrivals) < events and time.time() < deadline:
                time.sleep(0.05)
            delivered = time.time() - started
            lags = []
            for body in receiver.bodies:
                event = json.loads(body)
                created = datetime.datetime.fromisoformat(event["created_at"].replace("Z", "+00:00")).timestamp()
                lags.append((receiver.arrivals[event["id"]] - created) * 1000)
            duplicates = len(receiver.bodies) - len(receiver.arrivals)
            return made, delivered, len(receiver.arrivals), lags, duplicates

        burst = measure(None)
        paced = measure(100)
        # The baseline: the same body posted straight to the receiver, one at a time.
        target = http.client.HTTPConnection("127.0.0.1", receiver.server.server_address[1], timeout=10)
        direct = []
        for body in list(receiver.bodies[:200]):
            t0 = time.time()
            target.request("POST", "/hook", body, {"Content-Type": "application/json"})
            target.getresponse().read()
            direct.append((time.time() - t0) * 1000)
    finally:
        server.terminate()
        server.wait()
        receiver.server.shutdown()
    print(f"webhooks  {backend}, a direct POST to the receiver: p50 {percentile(direct, 0.5):.2f} ms,"
          f" p99 {percentile(direct, 0.99):.2f} ms")
    for name, (made, delivered, count, lags, duplicates) in [("as fast as made", burst), ("at 100/s", paced)]:
        print(f"{'':9} {name}: {count:,} of {events:,} events delivered, made in {made:.1f} s"
              f" ({events / made:,.0f}/s), all delivered {delivered:.1f} s after the first;"
              f" lag p50 {percentile(lags, 0.5):.1f} ms = {percentile(lags, 0.5) / percentile(direct, 0.5):,.0f}x,"
              f" p99 {percentile(lags, 0.99):.1f} ms = {percentile(lags, 0.99) / percentile(direct, 0.99):,.0f}x"
              f" the direct POST's; {duplicates} sent twice")


def webhooks(work):
    webhook_lag("sqlite", f"sqlite://{work}/hooks.db", work)
    name = f"portico_hooks_{os.getpid()}"
    subprocess.check_call(["psql", "-q", f"{PG_BASE}/test", "-c", f"CREATE DATABASE {name}"])
    try:
        webhook_lag("postgres", f"{PG_BASE}/{name}", work)
    finally:
        subprocess.call(["psql", "-q", f"{PG_BASE}/test", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


def imports(work):
    data = os.path.join(work, "import.ndjson")
    ndjson(data)
    size_mib = os.path.getsize(data) / 1024 / 1024
    run("sqlite", f"sqlite://{work}/bench.db", f"sqlite://{work}/baseline.db", data, size_mib)
    names = [f"portico_bench_{os.getpid()}", f"portico_baseline_{os.getpid()}"]
    for name in names:
        subprocess.check_call(["psql", "-q", f"{PG_BASE}/test", "-c", f"CREATE DATABASE {name}"])
    try:
        run("postgres", f"{PG_BASE}/{names[0]}", f"{PG_BASE}/{names[1]}", data, size_mib)
    finally:
        for name in names:
            subprocess.call(["psql", "-q", f"{PG_BASE}/test", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


if __name__ == "__main__":
    sys.exit(main())
