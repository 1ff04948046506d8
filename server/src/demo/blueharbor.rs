//! Blue Harbor Studio LLC, the demo's US customer.

use app::api::records::{
    BillingInterval, EntitlementInput, InvoiceStatus, PaymentKind, PaymentMethodInput,
    PaymentMethodKind, PaymentStatus, SubscriptionInput, SubscriptionStatus,
};
use chrono::{DateTime, Duration, Utc};

use crate::store::Store;

use super::{invoice, line, pay, put, History};
use crate::routes::records::{Entitlements, Invoices, PaymentMethods, Subscriptions};

/// A small US studio that upgraded half a year ago; one invoice went uncollectible.
pub(super) async fn write(
    store: &dyn Store,
    org: &str,
    customer: &str,
    h: &History,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    const CARD: &str = "Mastercard •••• 5454";
    for months_ago in (1..=12u32).rev() {
        let n = 13 - months_ago;
        let (start, end) = (h.month(months_ago), h.month_end(months_ago));
        let issued = h.at(end + Duration::days(1));
        let (plan, price) = if months_ago > 6 {
            ("Starter plan", 4_900)
        } else {
            ("Growth plan", 12_900)
        };
        let status = match months_ago {
            1 => InvoiceStatus::Open,
            9 => InvoiceStatus::Uncollectible,
            _ => InvoiceStatus::Paid,
        };
        let inv = invoice(
            customer,
            format!("BH-{:05}", 1040 + n),
            status,
            "USD",
            issued,
            (start, end),
            vec![line(plan, 1, price, Some((start, end)))],
            0,
            0,
        );
        let record = put::<Invoices>(store, org, &h.id("inv", n), &inv, now).await?;
        let when = issued + Duration::days(1);
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
                    "USD",
                    inv.total,
                    when,
                    now,
                )
                .await?;
            }
            InvoiceStatus::Uncollectible => {
                pay(
                    store,
                    org,
                    customer,
                    Some(&record.id),
                    h.id("pay", n),
                    PaymentKind::Payment,
                    PaymentStatus::Failed,
                    "American Express •••• 0005",
                    "USD",
                    inv.total,
                    when,
                    now,
                )
                .await?;
            }
            _ => {}
        }
    }

    let sub = SubscriptionInput {
        customer_id: customer.to_owned(),
        plan: "Growth".into(),
        status: SubscriptionStatus::Active,
        currency: "USD".into(),
        amount: 12_900,
        interval: BillingInterval::Month,
        current_period_start: h.month(0),
        current_period_end: h.month_end(0),
        renews_at: Some(h.month_end(0) + Duration::days(1)),
        cancel_at_period_end: false,
        cancelled_at: None,
    };
    put::<Subscriptions>(store, org, &h.id("sub", 1), &sub, now).await?;

    for (n, feature, limit, usage, unit) in [
        (1, "Projects", Some(20), 7, "projects"),
        (2, "Team members", Some(10), 10, "members"),
        (3, "Bandwidth", Some(1_000), 312, "GB"),
    ] {
        let e = EntitlementInput {
            customer_id: customer.to_owned(),
            feature: feature.into(),
            limit,
            usage,
            unit: unit.into(),
            valid_from: h.month(0),
            valid_until: Some(h.month_end(0)),
        };
        put::<Entitlements>(store, org, &h.id("ent", n), &e, now).await?;
    }

    for (n, brand, last4, exp, default) in [
        (1, "mastercard", "5454", (2, 2027), true),
        (2, "amex", "0005", (11, 2025), false),
    ] {
        let pm = PaymentMethodInput {
            customer_id: customer.to_owned(),
            kind: PaymentMethodKind::Card,
            brand: Some(brand.into()),
            last4: Some(last4.into()),
            exp_month: Some(exp.0),
            exp_year: Some(exp.1),
            is_default: default,
        };
        put::<PaymentMethods>(store, org, &h.id("pm", n), &pm, now).await?;
    }
    Ok(())
}
