//! The columns each record kind writes, and the binding of a record's values to them, for
//! the multi-row upserts in `upserts.rs`.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use sqlx::query_builder::Separated;

use crate::store::{BatchRecord, RecordKind};

use super::upserts::Refs;
use super::Db;

/// The columns a kind's input fills, between the vendor's id and the timestamps; in the
/// order [`push_values`] binds them.
pub(super) fn columns(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Customer => &[
            "name",
            "email",
            "phone",
            "tax_ids",
            "address_line1",
            "address_line2",
            "address_postal_code",
            "address_city",
            "address_region",
            "address_country",
            "locale",
            "balance_payment_url",
        ],
        RecordKind::Invoice => &[
            "customer_id",
            "number",
            "status",
            "currency",
            "total",
            "amount_due",
            "due_date",
            "period_start",
            "period_end",
            "issued_at",
            "pdf_url",
            "payment_url",
        ],
        RecordKind::CreditNote => &[
            "customer_id",
            "invoice_id",
            "number",
            "status",
            "currency",
            "total",
            "reason",
            "issued_at",
        ],
        RecordKind::Payment => &[
            "customer_id",
            "invoice_id",
            "kind",
            "status",
            "method",
            "currency",
            "amount",
            "paid_at",
        ],
        RecordKind::Entitlement => &[
            "customer_id",
            "feature",
            "limit_value",
            "usage",
            "unit",
            "valid_from",
            "valid_until",
            "usage_series",
        ],
        RecordKind::Subscription => &[
            "customer_id",
            "plan",
            "status",
            "currency",
            "amount",
            "billing_interval",
            "current_period_start",
            "current_period_end",
            "renews_at",
            "cancel_at_period_end",
            "cancelled_at",
            "plan_id",
        ],
        RecordKind::PaymentMethod => &[
            "customer_id",
            "kind",
            "brand",
            "last4",
            "exp_month",
            "exp_year",
            "is_default",
        ],
    }
}

/// Binds a record's values for [`columns`].
pub(super) fn push_values<'q>(
    record: &'q BatchRecord,
    refs: Refs<'q>,
    row: &mut Separated<'_, 'q, Db, &'static str>,
) {
    match record {
        BatchRecord::Customer(c) => {
            let a = &c.address;
            row.push_bind(&c.name)
                .push_bind(&c.email)
                .push_bind(&c.phone)
                .push_bind(crate::store::rows::tax_ids_text(&c.tax_ids))
                .push_bind(&a.line1)
                .push_bind(&a.line2)
                .push_bind(&a.postal_code)
                .push_bind(&a.city)
                .push_bind(&a.region)
                .push_bind(&a.country)
                .push_bind(&c.locale)
                .push_bind(&c.balance_payment_url);
        }
        BatchRecord::Invoice(i) => {
            row.push_bind(refs.customer_id)
                .push_bind(&i.number)
                .push_bind(i.status.as_str())
                .push_bind(&i.currency)
                .push_bind(i.total)
                .push_bind(i.amount_due)
                .push_bind(i.due_date)
                .push_bind(i.period_start)
                .push_bind(i.period_end)
                .push_bind(i.issued_at.timestamp_millis())
                .push_bind(&i.pdf_url)
                .push_bind(&i.payment_url);
        }
        BatchRecord::CreditNote(n) => {
            row.push_bind(refs.customer_id)
                .push_bind(refs.invoice_id)
                .push_bind(&n.number)
                .push_bind(n.status.as_str())
                .push_bind(&n.currency)
                .push_bind(n.total)
                .push_bind(&n.reason)
                .push_bind(n.issued_at.timestamp_millis());
        }
        BatchRecord::Payment(p) => {
            row.push_bind(refs.customer_id)
                .push_bind(refs.invoice_id)
                .push_bind(p.kind.as_str())
                .push_bind(p.status.as_str())
                .push_bind(&p.method)
                .push_bind(&p.currency)
                .push_bind(p.amount)
                .push_bind(p.paid_at.timestamp_millis());
        }
        BatchRecord::Entitlement(e) => {
            row.push_bind(refs.customer_id)
                .push_bind(&e.feature)
                .push_bind(e.limit)
                .push_bind(e.usage)
                .push_bind(&e.unit)
                .push_bind(e.valid_from)
                .push_bind(e.valid_until)
                .push_bind(crate::store::rows::usage_series_text(&e.usage_series));
        }
        BatchRecord::Subscription(s) => {
            row.push_bind(refs.customer_id)
                .push_bind(&s.plan)
                .push_bind(s.status.as_str())
                .push_bind(&s.currency)
                .push_bind(s.amount)
                .push_bind(s.interval.as_str())
                .push_bind(s.current_period_start)
                .push_bind(s.current_period_end)
                .push_bind(s.renews_at)
                .push_bind(s.cancel_at_period_end)
                .push_bind(s.cancelled_at.map(|t| t.timestamp_millis()))
                .push_bind(&s.plan_id);
        }
        BatchRecord::PaymentMethod(m) => {
            row.push_bind(refs.customer_id)
                .push_bind(m.kind.as_str())
                .push_bind(&m.brand)
                .push_bind(&m.last4)
                .push_bind(m.exp_month)
                .push_bind(m.exp_year)
                .push_bind(m.is_default);
        }
    }
}
