//! Van Dijk Logistiek B.V., the demo's Dutch customer.

use app::api::records::{BillingInterval, InvoiceStatus, PaymentMethodKind, SubscriptionStatus};
use chrono::{Datelike, Duration, Months};

use super::ledger::{line, Ledger, Outcome, Plan};

/// A Dutch enterprise on an annual contract with quarterly usage billing, paid by bank
/// transfer, with one add-on cancelled three months ago.
pub(super) fn history(l: &mut Ledger) {
    const BANK: &str = "Bank transfer (ING)";
    let year_from = |start| (start, (start + Months::new(12)) - Duration::days(1));
    // Two annual contract invoices, 18 and 6 months ago; the first came with onboarding,
    // the second was paid in two parts.
    for (n, months_ago) in [(1u32, 17u32), (2, 5)] {
        let period = year_from(l.month(months_ago));
        let issued = l.at(period.0);
        let mut lines = vec![line("Enterprise plan, annual", 1, 1_200_000, Some(period))];
        if n == 1 {
            lines.push(line("Onboarding and training", 1, 250_000, None));
        }
        let number = format!("VD-{}-A{n:02}", period.0.year());
        let invoice = l.invoice(n, number, InvoiceStatus::Paid, issued, period, lines);
        let parts = if n == 1 {
            vec![(invoice.total, 12)]
        } else {
            let first = invoice.total / 2;
            vec![(first, 10), (invoice.total - first, 40)]
        };
        // Payment ids run on from the invoice's number: 1, then 2 and 3.
        for (id, (amount, days)) in (n..).zip(parts) {
            let at = issued + Duration::days(days);
            l.payment(l.id("pay", id), &invoice, Outcome::Paid, BANK, amount, at);
        }
    }
    // Quarterly usage invoices; the latest is still open.
    let quarters = [
        (13u32, 8_200),
        (10, 9_950),
        (7, 11_300),
        (4, 10_480),
        (1, 12_760),
    ];
    for (i, (months_ago, shipments)) in (0u32..).zip(quarters) {
        let n = 10 + i;
        let period = (l.month(months_ago + 2), l.month_end(months_ago));
        let issued = l.at(period.1 + Duration::days(1));
        let status = if months_ago == 1 {
            InvoiceStatus::Open
        } else {
            InvoiceStatus::Paid
        };
        let lines = vec![line(
            "Tracked shipments over contract volume",
            shipments / 100,
            1_500,
            Some(period),
        )];
        let number = format!("VD-{}-U{:02}", period.1.year(), i + 1);
        let invoice = l.invoice(n, number, status, issued, period, lines);
        if status == InvoiceStatus::Paid {
            let when = issued + Duration::days(14);
            l.payment(
                l.id("pay", n),
                &invoice,
                Outcome::Paid,
                BANK,
                invoice.total,
                when,
            );
        }
    }

    let contract = year_from(l.month(5));
    let enterprise = Plan {
        catalogue: None,
        name: "Enterprise",
        amount: 1_200_000,
        interval: BillingInterval::Year,
    };
    l.subscription(enterprise, SubscriptionStatus::Active, contract, None);
    let fleet = Plan {
        catalogue: None,
        name: "Fleet tracking add-on",
        amount: 29_000,
        interval: BillingInterval::Quarter,
    };
    let fleet_period = (l.month(6), l.month_end(4));
    let given_up = Some(l.at(l.month(3)));
    l.subscription(fleet, SubscriptionStatus::Cancelled, fleet_period, given_up);
    l.entitlements(
        contract,
        &[
            ("Tracked shipments", Some(50_000), 41_870, "shipments"),
            ("Warehouses", Some(5), 3, "sites"),
            ("API access", None, 1_284_511, "calls"),
        ],
    );
    // Shipments picked up in the autumn: at this pace the contract's volume runs out.
    l.daily_use(1, |day| 150 + i64::from(day % 7) * 25 + i64::from(day / 3));
    l.payment_methods(&[(PaymentMethodKind::BankTransfer, "ING", "4321", None, true)]);
}
