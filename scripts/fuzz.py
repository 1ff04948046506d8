#!/usr/bin/env python3
"""Fuzzes the API against its own OpenAPI document with schemathesis.

Starts `portico serve` over a fresh SQLite file, seeds one organisation with a customer, an
invoice and a portal session, and runs schemathesis three times: the vendor API with an
API key, the settings with a second organisation's key (fuzzing them changes what the
first run relies on), and the portal's browser API with the session's token. Every check
runs; the run fails on any failure: a server error, an answer that breaks the documented
schema, a schema-valid request refused, or a schema-invalid one accepted.

Usage: scripts/fuzz.py PORTICO_BINARY SCHEMATHESIS [max examples per operation]
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

portico, schemathesis = sys.argv[1], sys.argv[2]
examples = sys.argv[3] if len(sys.argv) > 3 else "25"
work = tempfile.mkdtemp(prefix="portico-fuzz-")
here = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_port()
base = f"http://127.0.0.1:{port}"
env = dict(
    os.environ,
    PORTICO_DATABASE_URL=f"sqlite://{work}/fuzz.db",
    PORTICO_ADDR=f"127.0.0.1:{port}",
    PORTICO_PUBLIC_URL=base,
    PORTICO_LOG="warn",
    # Schemathesis sends thousands of requests, many with wrong keys, from one address.
    PORTICO_KEY_FAILURE_LIMIT_PER_MINUTE="100000",
    PORTICO_EXCHANGE_LIMIT_PER_MINUTE="100000",
)
env.pop("PORTICO_CONFIG", None)


def org(name):
    out = subprocess.run(
        [portico, "org", "create", "--name", name, "--return-origin", "https://vendor.example"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    created = json.loads(out)
    return created["organisation"], created["api_key"]


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


vendor_org, vendor_key = org("Fuzz vendor")
settings_org, settings_key = org("Fuzz settings")
log = open(f"{work}/server.log", "w")
server = subprocess.Popen([portico, "serve"], env=env, stdout=log, stderr=log)
passed = False
try:
    for _ in range(200):
        try:
            call("GET", "/api/v1/health")
            break
        except OSError:
            time.sleep(0.05)
    keyed = {"organisation": vendor_org, "X-API-KEY": vendor_key}
    call("PUT", "/v1/customers/cus_fuzz", {"name": "Fuzz customer"}, keyed)
    call("PUT", "/v1/invoices/inv_fuzz", {
        "customer_id": "cus_fuzz", "number": "INV-FUZZ", "status": "open", "currency": "EUR",
        "total": 1000, "amount_due": 1000, "issued_at": "2026-06-01T09:00:00Z",
        "lines": [{"description": "Plan", "quantity": 1, "unit_amount": 1000, "amount": 1000}],
    }, keyed)
    call("PUT", "/v1/subscriptions/sub_fuzz", {
        "customer_id": "cus_fuzz", "plan": "Pro", "status": "active", "currency": "EUR",
        "amount": 4900, "interval": "month", "current_period_start": "2026-06-01",
        "current_period_end": "2099-06-30",
    }, keyed)
    # Every portal action the settings can turn on is on, so that each is reached.
    call("PATCH", "/v1/settings", {
        "allow_subscription_pause": True,
        "payment_method_setup_url": "https://psp.example/setup?customer={customer_id}",
    }, keyed)
    protected = ["cus_fuzz", "inv_fuzz"]
    protected += [call("GET", f"/v1/{kind}/{id}", None, keyed)["id"]
                  for kind, id in (("customers", "cus_fuzz"), ("invoices", "inv_fuzz"))]
    link = call("POST", "/v1/portal_sessions",
                {"external_id": "cus_fuzz", "return_url": "https://vendor.example/"}, keyed)
    token = link["url"].split("?")[0].rsplit("/", 1)[1]
    session = call("POST", "/api/v1/session/exchange", {"token": token})["session_token"]

    hooks_env = dict(
        os.environ,
        PYTHONPATH=os.path.join(here, "fuzz"),
        SCHEMATHESIS_HOOKS="hooks",
        FUZZ_CUSTOMER="cus_fuzz",
        FUZZ_INVOICE="inv_fuzz",
        FUZZ_RETURN_URL="https://vendor.example/back",
        FUZZ_LINK_LIFETIME="3600",
        FUZZ_PROTECTED=",".join(protected),
    )
    # One worker: CPython 3.11's parser is not safe to use from two threads at once, and
    # hypothesis parses lambdas' source while it generates.
    runs = [
        ("vendor API", ["-H", f"organisation: {vendor_org}", "-H", f"X-API-KEY: {vendor_key}",
                        "--exclude-path-regex", "^/(api/|v1/settings)"]),
        ("settings", ["-H", f"organisation: {settings_org}", "-H", f"X-API-KEY: {settings_key}",
                      "--include-path-regex", "^/v1/settings"]),
        # Everything the browser calls but logging out, which would end the session.
        ("portal API", ["-H", f"Authorization: Bearer {session}",
                        "--include-path-regex", "^/api/v1/(portal/|session/exchange)"]),
    ]
    failed = False
    for name, args in runs:
        started = time.time()
        result = subprocess.run(
            [schemathesis, "--config-file", os.path.join(here, "fuzz", "schemathesis.toml"),
             "run", f"{base}/v1/openapi.json",
             "--max-examples", examples, "--workers", "1", "--no-color", "--seed", os.environ.get("FUZZ_SEED", "1"),
             "--phases", "examples,coverage,fuzzing", *args],
            # Schemathesis keeps a cache of past failures in its working directory: the
            # run's own, so that no run replays another's and the clone stays clean.
            env=hooks_env, capture_output=True, text=True, cwd=work,
        )
        output = result.stdout + result.stderr
        summary = re.search(r"Test cases:\n\s*(.*)", output)
        tested = re.search(r"Tested: (\d+)", output)
        print(f"fuzz {name}: {tested.group(1) if tested else '?'} operations, "
              f"{summary.group(1) if summary else 'no summary'} ({time.time() - started:.0f} s)")
        if result.returncode != 0:
            failed = True
            print(output[-20000:])
    # The session must have lasted the whole run, or the portal run proved little.
    check = urllib.request.Request(base + "/api/v1/portal/session",
                                   headers={"Authorization": f"Bearer {session}"})
    with urllib.request.urlopen(check) as response:
        assert response.status == 200, response.status
    passed = not failed
    sys.exit(0 if passed else 1)
finally:
    server.terminate()
    server.wait()
    # A failed run keeps its server log, database and schemathesis cache to look at.
    if passed:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"fuzz: the run's files are in {work}")
