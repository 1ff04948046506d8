//! Blue Harbor Studio LLC, the demo's US customer.

use app::api::records::{BillingInterval, InvoiceStatus, PaymentMethodKind, SubscriptionStatus};
use chrono::Duration;

use super::ledger::{line, Ledger, Outcome, Plan};

/// A small US studio that upgraded half a year ago; one invoice went uncollectible.
pub(super) fn history(l: &mut Ledger) {
    const CARD: &str = "Mastercard •••• 5454";
    for months_ago in (1..=12u32).rev() {
        let n = 13 - months_ago;
        let period = (l.month(months_ago), l.month_end(months_ago));
        let issued = l.at(period.1 + Duration::days(1));
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
        let lines = vec![line(plan, 1, price, Some(period))];
        let invoice = l.invoice(
            n,
            format!("BH-{:05}", 1040 + n),
            status,
            issued,
            period,
            lines,
        );
        let (payment, when) = (l.id("pay", n), issued + Duration::days(1));
        match status {
            InvoiceStatus::Paid => {
                l.payment(payment, &invoice, Outcome::Paid, CARD, invoice.total, when)
            }
            InvoiceStatus::Uncollectible => l.payment(
                payment,
                &invoice,
                Outcome::Declined,
                "American Express •••• 0005",
                invoice.total,
                when,
            ),
            _ => {}
        }
    }

    let this_month = (l.month(0), l.month_end(0));
    let growth = Plan {
        catalogue: Some("growth"),
        name: "Growth",
        amount: 12_900,
        interval: BillingInterval::Month,
    };
    l.subscription(growth, SubscriptionStatus::Active, this_month, None);
    l.entitlements(
        this_month,
        &[
            ("Projects", Some(20), 7, "projects"),
            ("Team members", Some(10), 10, "members"),
            ("Bandwidth", Some(1_000), 312, "GB"),
        ],
    );
    l.payment_methods(&[
        (
            PaymentMethodKind::Card,
            "mastercard",
            "5454",
            Some((2, 2027)),
            true,
        ),
        (
            PaymentMethodKind::Card,
            "amex",
            "0005",
            Some((11, 2025)),
            false,
        ),
    ]);
}
