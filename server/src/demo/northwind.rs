//! Northwind Traders GmbH, the demo's German customer.

use app::api::records::{
    BillingInterval, CreditNoteInput, CreditNoteStatus, EntitlementInput, InvoiceStatus,
    PaymentKind, PaymentMethodInput, PaymentMethodKind, PaymentStatus, SubscriptionInput,
    SubscriptionStatus,
};
use chrono::{DateTime, Datelike, Duration, Utc};

use crate::store::Store;

use super::{invoice, line, pay, put, History};
use crate::routes::records::{CreditNotes, Entitlements, Invoices, PaymentMethods, Subscriptions};

/// A German mid-size customer on a monthly plan with usage: 18 months of invoices in
/// every everyday status, card payments, a failed attempt, a refund with its credit note.
pub(super) async fn write(
    store: &dyn Store,
    org: &str,
    customer: &str,
    h: &History,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    const CARD: &str = "Visa •••• 4242";
    for months_ago in (0..18u32).rev() {
        let n = 18 - months_ago;
        let (start, end) = (h.month(months_ago), h.month_end(months_ago));
        // A month is invoiced on the 1st of the next; this month's invoice is a draft.
        let issued = if months_ago == 0 {
            h.at(h.today)
        } else {
            h.at(end + Duration::days(1))
        };
        let status = match months_ago {
            0 => InvoiceStatus::Draft,
            1 => InvoiceStatus::Open,
            2 => InvoiceStatus::Overdue,
            3 => InvoiceStatus::PartiallyPaid,
            11 => InvoiceStatus::Void,
            _ => InvoiceStatus::Paid,
        };
        let mut lines = vec![line("Business plan", 1, 24_900, Some((start, end)))];
        let overage = [0, 12, 0, 31, 7, 0, 0, 48, 3, 0, 22, 0, 0, 15, 0, 9, 0, 0][n as usize - 1];
        if overage > 0 {
            lines.push(line(
                "API calls over plan (per 10,000)",
                overage,
                450,
                Some((start, end)),
            ));
        }
        lines.push(line("Additional seats", 3, 1_200, Some((start, end))));
        let paid = if status == InvoiceStatus::PartiallyPaid {
            15_000
        } else {
            0
        };
        let inv = invoice(
            customer,
            format!("NW-{}-{:04}", start.year(), n),
            status,
            "EUR",
            issued,
            (start, end),
            lines,
            19,
            paid,
        );
        let invoice_external = h.id("inv", n);
        let record = put::<Invoices>(store, org, &invoice_external, &inv, now).await?;
        let paid_at = issued + Duration::days(3);
        match status {
            InvoiceStatus::Paid => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Succeeded,
                    CARD,
                    "EUR",
                    inv.total,
                    paid_at,
                    now,
                )
                .await?;
            }
            InvoiceStatus::PartiallyPaid => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Succeeded,
                    CARD,
                    "EUR",
                    paid,
                    paid_at,
                    now,
                )
                .await?;
            }
            InvoiceStatus::Overdue => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Failed,
                    CARD,
                    "EUR",
                    inv.total,
                    paid_at,
                    now,
                )
                .await?;
            }
            _ => {}
        }
        // Eight months ago an outage earned the customer a service credit, refunded to
        // the card and documented by a credit note.
        if months_ago == 8 {
            let refund = 5_000;
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("ref", n),
                PaymentKind::Refund,
                PaymentStatus::Succeeded,
                CARD,
                "EUR",
                refund,
                paid_at + Duration::days(9),
                now,
            )
            .await?;
            let note = CreditNoteInput {
                customer_id: customer.to_owned(),
                invoice_id: Some(invoice_external.clone()),
                number: format!("NW-CN-{}-0001", start.year()),
                status: CreditNoteStatus::Issued,
                currency: "EUR".into(),
                total: refund,
                reason: Some("Service credit for the outage on the 14th".into()),
                issued_at: paid_at + Duration::days(9),
            };
            put::<CreditNotes>(store, org, &h.id("cn", 1), &note, now).await?;
        }
    }

    let sub = SubscriptionInput {
        customer_id: customer.to_owned(),
        plan: "Business".into(),
        status: SubscriptionStatus::Active,
        currency: "EUR".into(),
        amount: 24_900,
        interval: BillingInterval::Month,
        current_period_start: h.month(0),
        current_period_end: h.month_end(0),
        renews_at: Some(h.month_end(0) + Duration::days(1)),
        cancel_at_period_end: false,
        cancelled_at: None,
    };
    put::<Subscriptions>(store, org, &h.id("sub", 1), &sub, now).await?;

    let valid = (h.month(0), Some(h.month_end(0)));
    for (n, feature, limit, usage, unit) in [
        (1, "API calls", Some(1_000_000), 734_210, "calls"),
        (2, "Seats", Some(25), 18, "seats"),
        (3, "Storage", Some(500), 487, "GB"),
        (4, "Priority support", None, 4, "tickets"),
    ] {
        let e = EntitlementInput {
            customer_id: customer.to_owned(),
            feature: feature.into(),
            limit,
            usage,
            unit: unit.into(),
            valid_from: valid.0,
            valid_until: valid.1,
        };
        put::<Entitlements>(store, org, &h.id("ent", n), &e, now).await?;
    }

    for (n, kind, brand, last4, exp, default) in [
        (
            1,
            PaymentMethodKind::Card,
            "visa",
            "4242",
            Some((8, 2028)),
            true,
        ),
        (
            2,
            PaymentMethodKind::SepaDebit,
            "Commerzbank",
            "3000",
            None,
            false,
        ),
    ] {
        let pm = PaymentMethodInput {
            customer_id: customer.to_owned(),
            kind,
            brand: Some(brand.into()),
            last4: Some(last4.into()),
            exp_month: exp.map(|e| e.0),
            exp_year: exp.map(|e| e.1),
            is_default: default,
        };
        put::<PaymentMethods>(store, org, &h.id("pm", n), &pm, now).await?;
    }
    Ok(())
}
