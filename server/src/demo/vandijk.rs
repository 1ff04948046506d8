//! Van Dijk Logistiek B.V., the demo's Dutch customer.

use app::api::records::{
    BillingInterval, EntitlementInput, InvoiceStatus, PaymentKind, PaymentMethodInput,
    PaymentMethodKind, PaymentStatus, SubscriptionInput, SubscriptionStatus,
};
use chrono::{DateTime, Datelike, Duration, Months, Utc};

use crate::store::Store;

use super::{invoice, line, pay, put, History};
use crate::routes::records::{Entitlements, Invoices, PaymentMethods, Subscriptions};

/// A Dutch enterprise on an annual contract with quarterly usage billing, paid by bank
/// transfer, with one add-on cancelled three months ago.
pub(super) async fn write(
    store: &dyn Store,
    org: &str,
    customer: &str,
    h: &History,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    const BANK: &str = "Bank transfer (ING)";
    // Two annual contract invoices: 18 and 6 months ago; the second paid in two parts.
    for (n, months_ago) in [(1u32, 17u32), (2, 5)] {
        let start = h.month(months_ago);
        let end = (start + Months::new(12)) - Duration::days(1);
        let issued = h.at(start);
        let inv = invoice(
            customer,
            format!("VD-{}-A{:02}", start.year(), n),
            InvoiceStatus::Paid,
            "EUR",
            issued,
            (start, end),
            vec![
                line("Enterprise plan, annual", 1, 1_200_000, Some((start, end))),
                line(
                    "Onboarding and training",
                    if n == 1 { 1 } else { 0 },
                    250_000,
                    None,
                ),
            ]
            .into_iter()
            .filter(|l| l.quantity > 0)
            .collect(),
            21,
            0,
        );
        let record = put::<Invoices>(store, org, &h.id("inv", n), &inv, now).await?;
        if n == 1 {
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("pay", 1),
                PaymentKind::Payment,
                PaymentStatus::Succeeded,
                BANK,
                "EUR",
                inv.total,
                issued + Duration::days(12),
                now,
            )
            .await?;
        } else {
            let first = inv.total / 2;
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("pay", 2),
                PaymentKind::Payment,
                PaymentStatus::Succeeded,
                BANK,
                "EUR",
                first,
                issued + Duration::days(10),
                now,
            )
            .await?;
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("pay", 3),
                PaymentKind::Payment,
                PaymentStatus::Succeeded,
                BANK,
                "EUR",
                inv.total - first,
                issued + Duration::days(40),
                now,
            )
            .await?;
        }
    }
    // Quarterly usage invoices; the latest is still open.
    for (i, months_ago) in [13u32, 10, 7, 4, 1].into_iter().enumerate() {
        let n = 10 + i as u32;
        let start = h.month(months_ago + 2);
        let end = h.month_end(months_ago);
        let issued = h.at(end + Duration::days(1));
        let shipments = [8_200, 9_950, 11_300, 10_480, 12_760][i];
        let status = if months_ago == 1 {
            InvoiceStatus::Open
        } else {
            InvoiceStatus::Paid
        };
        let inv = invoice(
            customer,
            format!("VD-{}-U{:02}", end.year(), n - 9),
            status,
            "EUR",
            issued,
            (start, end),
            vec![line(
                "Tracked shipments over contract volume",
                shipments / 100,
                1_500,
                Some((start, end)),
            )],
            21,
            0,
        );
        let record = put::<Invoices>(store, org, &h.id("inv", n), &inv, now).await?;
        if status == InvoiceStatus::Paid {
            pay(
                store,
                org,
                customer,
                Some(&record.id),
                h.id("pay", n),
                PaymentKind::Payment,
                PaymentStatus::Succeeded,
                BANK,
                "EUR",
                inv.total,
                issued + Duration::days(14),
                now,
            )
            .await?;
        }
    }

    let contract_start = h.month(5);
    let contract_end = (contract_start + Months::new(12)) - Duration::days(1);
    let subs = [
        SubscriptionInput {
            customer_id: customer.to_owned(),
            plan: "Enterprise".into(),
            status: SubscriptionStatus::Active,
            currency: "EUR".into(),
            amount: 1_200_000,
            interval: BillingInterval::Year,
            current_period_start: contract_start,
            current_period_end: contract_end,
            renews_at: Some(contract_end + Duration::days(1)),
            cancel_at_period_end: false,
            cancelled_at: None,
        },
        SubscriptionInput {
            customer_id: customer.to_owned(),
            plan: "Fleet tracking add-on".into(),
            status: SubscriptionStatus::Cancelled,
            currency: "EUR".into(),
            amount: 29_000,
            interval: BillingInterval::Quarter,
            current_period_start: h.month(6),
            current_period_end: h.month_end(4),
            renews_at: None,
            cancel_at_period_end: true,
            cancelled_at: Some(h.at(h.month(3))),
        },
    ];
    for (n, sub) in subs.iter().enumerate() {
        put::<Subscriptions>(store, org, &h.id("sub", n as u32 + 1), sub, now).await?;
    }

    for (n, feature, limit, usage, unit) in [
        (1, "Tracked shipments", Some(50_000), 41_870, "shipments"),
        (2, "Warehouses", Some(5), 3, "sites"),
        (3, "API access", None, 1_284_511, "calls"),
    ] {
        let e = EntitlementInput {
            customer_id: customer.to_owned(),
            feature: feature.into(),
            limit,
            usage,
            unit: unit.into(),
            valid_from: contract_start,
            valid_until: Some(contract_end),
        };
        put::<Entitlements>(store, org, &h.id("ent", n), &e, now).await?;
    }

    let pm = PaymentMethodInput {
        customer_id: customer.to_owned(),
        kind: PaymentMethodKind::BankTransfer,
        brand: Some("ING".into()),
        last4: Some("4321".into()),
        exp_month: None,
        exp_year: None,
        is_default: true,
    };
    put::<PaymentMethods>(store, org, &h.id("pm", 1), &pm, now).await?;
    Ok(())
}
