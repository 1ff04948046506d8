"""Schemathesis hooks for Portico's fuzz run (scripts/fuzz.py).

The OpenAPI document states every rule a single field has. A few rules are not about one
field and cannot be written in JSON Schema: references to records that must exist (an
invoice's customer), one date not before another, an amount due not above the total, a
return URL on one of the organisation's origins, a colour dark enough for white text, a
webhook URL whose host resolves to a public address (here, a name that does not resolve
at all, which is accepted and checked again at every attempt). For
requests generated as schema-valid, these hooks make those values agree with the server's
state, so that "schema-valid" means valid; schema-invalid requests are sent as generated.
"""

import json
import os

import schemathesis
from schemathesis.core.parameters import ParameterLocation

CUSTOMER = os.environ["FUZZ_CUSTOMER"]
INVOICE = os.environ["FUZZ_INVOICE"]
RETURN_URL = os.environ["FUZZ_RETURN_URL"]
LINK_LIFETIME = int(os.environ["FUZZ_LINK_LIFETIME"])
# The seeded records the rules above rely on, by both their ids: no fuzzed request may
# delete them or move them to another customer.
PROTECTED = set(os.environ["FUZZ_PROTECTED"].split(","))
DARK = "#1e3a8a"
# A well-formed number of each tax ID type whose format Portico checks.
TAX_ID_EXAMPLES = {
    "eu_vat": "DE123456789",
    "gb_vat": "GB123456782",
    "ch_uid": "CHE-123.456.788 MWST",
    "us_ein": "12-3456789",
    "au_abn": "51 824 753 556",
    "ca_bn": "123456782RT0001",
}
WEBHOOK_URL = "https://hooks.vendor.example/portico"

# Pairs of dates where the second must not come before the first.
ORDERED = [
    ("period_start", "period_end"),
    ("valid_from", "valid_until"),
    ("current_period_start", "current_period_end"),
]


def _luminance(hex_colour):
    digits = hex_colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _fix_record(body):
    if not isinstance(body, dict):
        return
    for key in ("customer_id", "external_id"):
        if isinstance(body.get(key), str):
            body[key] = CUSTOMER
    if isinstance(body.get("invoice_id"), str):
        body["invoice_id"] = INVOICE
    for start, end in ORDERED:
        a, b = body.get(start), body.get(end)
        if isinstance(a, str) and isinstance(b, str) and a > b:
            body[start], body[end] = b, a
    total, due = body.get("total"), body.get("amount_due")
    if isinstance(total, (int, float)) and isinstance(due, (int, float)) and due > total:
        body["amount_due"] = total
    for line in body.get("lines") or []:
        _fix_record(line)
    if isinstance(body.get("return_url"), str):
        body["return_url"] = RETURN_URL
    section = body.get("section")
    if isinstance(section, str) and section.startswith("invoice:"):
        body["section"] = f"invoice:{INVOICE}"
    expires = body.get("expires_in")
    if isinstance(expires, (int, float)) and expires > LINK_LIFETIME:
        body["expires_in"] = LINK_LIFETIME
    # A usage series' days must lie within the entitlement's validity, one a day in order:
    # rules between fields, so schema-valid entitlements come without one.
    if isinstance(body.get("usage_series"), list):
        body["usage_series"] = []
    # A tax ID of a type Portico checks must pass its type's format and check digit, and
    # no tax ID may be listed twice: such types get a well-formed number.
    if isinstance(body.get("tax_ids"), list):
        seen, kept = set(), []
        for tax_id in body["tax_ids"]:
            if isinstance(tax_id, dict) and isinstance(tax_id.get("value"), str):
                kind = tax_id.get("type")
                if kind in TAX_ID_EXAMPLES:
                    tax_id["value"] = TAX_ID_EXAMPLES[kind]
                key = (kind, tax_id["value"].strip())
                if key in seen:
                    continue
                seen.add(key)
            kept.append(tax_id)
        body["tax_ids"] = kept
    # A postal code must fit its country's format: a rule between fields, so schema-valid
    # addresses with a postal code come without a country.
    address = body.get("address")
    if isinstance(address, dict) and address.get("postal_code") and address.get("country"):
        address.pop("country")
    # Payment and setup pages must lie on the payment origins, when any are listed: a
    # rule between fields (and between requests), so the fuzzed organisation lists none.
    if isinstance(body.get("payment_origins"), list):
        body["payment_origins"] = []
    for key in ("primary_color", "accent_color"):
        colour = body.get(key)
        # WCAG AA for white text: (1 + 0.05) / (L + 0.05) >= 4.5.
        if isinstance(colour, str) and 1.05 / (_luminance(colour) + 0.05) < 4.5:
            body[key] = DARK


@schemathesis.hook
def before_call(context, case, kwargs):
    path = case.path_parameters or {}
    if case.method in ("PUT", "DELETE") and path.get("id") in PROTECTED:
        path["id"] = path["id"] + "-other"
    meta = case.meta
    if meta is None or meta.generation.mode.is_negative:
        return
    if not meta.is_negative_at(ParameterLocation.BODY):
        _fix_record(case.body)
        if case.operation.path.startswith("/v1/webhook_endpoints") and isinstance(case.body, dict):
            if isinstance(case.body.get("url"), str):
                case.body["url"] = WEBHOOK_URL
        # A cancellation's reason must be one the organisation lists, and the fuzzed one
        # lists none: only a comment may be given.
        if case.operation.path.endswith("/cancel") and isinstance(case.body, dict):
            case.body.pop("reason", None)
    if not meta.is_negative_at(ParameterLocation.QUERY) and isinstance(case.query, dict):
        query = case.query
        if isinstance(query.get("customer_id"), str):
            query["customer_id"] = CUSTOMER
        # A cursor is only valid as a list returned it.
        if case.operation.path.startswith("/api/v1/portal/"):
            query.pop("cursor", None)
        a, b = query.get("from"), query.get("to")
        if isinstance(a, str) and isinstance(b, str) and a and b and a > b:
            query["from"], query["to"] = b, a


@schemathesis.serializer("application/x-ndjson", "application/pdf")
def as_sent(ctx, value):
    """NDJSON and PDF bodies are text or bytes as generated."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()
