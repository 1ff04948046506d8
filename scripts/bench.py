#!/usr/bin/env python3
"""`make bench`: the vendor import's speed and memory, on SQLite and PostgreSQL.

For each backend a fresh release server imports 100,000 NDJSON lines (20,000 customers,
80,000 invoices with two lines each) in one request. The baseline, measured in the same
run, is the same kind of record written one `PUT` at a time over a kept-alive connection:
the way a vendor would sync without the import. Results are ratios against that baseline,
plus the server's peak resident memory, which shows the import streams.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.path.join(os.environ["CARGO_TARGET_DIR"], "release", "portico")
PG_BASE = os.environ.get("PG_BASE", "postgres://postgres@127.0.0.1:5432")
LINES = int(os.environ.get("BENCH_LINES", "100000"))
BASELINE_PUTS = int(os.environ.get("BENCH_PUTS", "2000"))


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


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run(backend, database_url, data_path, size_mib):
    port = free_port()
    env = dict(os.environ, PORTICO_DATABASE_URL=database_url, PORTICO_ADDR=f"127.0.0.1:{port}", PORTICO_LOG="warn")
    org = json.loads(subprocess.check_output([BIN, "org", "create", "--name", "Bench"], env=env))
    server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
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
        assert response.status == 200 and report["accepted"] == LINES, report
        rss_peak = peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait()
    import_rate = LINES / elapsed
    print(f"{backend:9} import {LINES:,} lines ({size_mib:.0f} MiB) in {elapsed:6.1f} s = {import_rate:8,.0f} lines/s;"
          f" one-PUT-at-a-time baseline {put_rate:6,.0f} records/s; ratio {import_rate / put_rate:4.1f}x;"
          f" server peak RSS {rss_peak:.0f} MiB (idle {rss_idle:.0f} MiB)")


def main():
    work = tempfile.mkdtemp()
    data = os.path.join(work, "import.ndjson")
    ndjson(data)
    size_mib = os.path.getsize(data) / 1024 / 1024
    run("sqlite", f"sqlite://{work}/bench.db", data, size_mib)
    name = f"portico_bench_{os.getpid()}"
    subprocess.check_call(["psql", "-q", f"{PG_BASE}/test", "-c", f"CREATE DATABASE {name}"])
    try:
        run("postgres", f"{PG_BASE}/{name}", data, size_mib)
    finally:
        subprocess.call(["psql", "-q", f"{PG_BASE}/test", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


if __name__ == "__main__":
    sys.exit(main())
