//! Northwind Traders GmbH, the demo's German customer.

use app::api::records::{BillingInterval, InvoiceStatus, PaymentMethodKind, SubscriptionStatus};
use chrono::{Datelike, Duration};

use super::ledger::{line, Ledger, Outcome, Plan};

/// A German mid-size customer on a monthly plan with usage: 18 months of invoices in
/// every everyday status, card payments, a failed attempt, a refund with its credit note.
pub(super) fn history(l: &mut Ledger) {
    const CARD: &str = "Visa •••• 4242";
    const OVERAGE: [i64; 18] = [0, 12, 0, 31, 7, 0, 0, 48, 3, 0, 22, 0, 0, 15, 0, 9, 0, 0];
    for months_ago in (0..18u32).rev() {
        let n = 18 - months_ago;
        let period = (l.month(months_ago), l.month_end(months_ago));
        // A month is invoiced on the 1st of the next; this month's invoice is a draft.
        let issued = if months_ago == 0 {
            l.at(l.today())
        } else {
            l.at(period.1 + Duration::days(1))
        };
        let status = match months_ago {
            0 => InvoiceStatus::Draft,
            1 => InvoiceStatus::Open,
            2 => InvoiceStatus::Overdue,
            3 => InvoiceStatus::PartiallyPaid,
            11 => InvoiceStatus::Void,
            _ => InvoiceStatus::Paid,
        };
        let overage = OVERAGE[n as usize - 1];
        let lines = [
            Some(line("Business plan", 1, 24_900, Some(period))),
            (overage > 0).then(|| {
                line(
                    "API calls over plan (per 10,000)",
                    overage,
                    450,
                    Some(period),
                )
            }),
            Some(line("Additional seats", 3, 1_200, Some(period))),
        ];
        // Of a partly paid invoice, this much came in.
        let partly = 15_000;
        let number = format!("NW-{}-{n:04}", period.0.year());
        let invoice = l.invoice(
            n,
            number,
            status,
            issued,
            period,
            lines.into_iter().flatten().collect(),
        );
        let paid_at = issued + Duration::days(3);
        let payment = l.id("pay", n);
        match status {
            InvoiceStatus::Paid => l.payment(
                payment,
                &invoice,
                Outcome::Paid,
                CARD,
                invoice.total,
                paid_at,
            ),
            InvoiceStatus::PartiallyPaid => {
                l.payment(payment, &invoice, Outcome::Paid, CARD, partly, paid_at)
            }
            InvoiceStatus::Overdue => l.payment(
                payment,
                &invoice,
                Outcome::Declined,
                CARD,
                invoice.total,
                paid_at,
            ),
            _ => {}
        }
        // Eight months ago an outage earned the customer a service credit, refunded to
        // the card and documented by a credit note.
        if months_ago == 8 {
            let (refund, when) = (5_000, paid_at + Duration::days(9));
            l.payment(
                l.id("ref", n),
                &invoice,
                Outcome::Refunded,
                CARD,
                refund,
                when,
            );
            let number = format!("NW-CN-{}-0001", period.0.year());
            l.credit_note(
                &invoice,
                number,
                refund,
                "Service credit for the outage on the 14th",
                when,
            );
        }
    }

    // A referral earned credit, part of which went on an invoice since.
    l.credit(10_000, "Referral credit: Hafenblick Logistik joined", 75);
    l.credit(-5_500, "Applied to an invoice", 30);

    let this_month = (l.month(0), l.month_end(0));
    let business = Plan {
        catalogue: Some("business"),
        name: "Business",
        amount: 24_900,
        interval: BillingInterval::Month,
    };
    l.subscription(business, SubscriptionStatus::Active, this_month, None);
    l.entitlements(
        this_month,
        &[
            ("API calls", Some(1_000_000), 734_210, "calls"),
            ("Seats", Some(25), 18, "seats"),
            ("Storage", Some(500), 487, "GB"),
            ("Priority support", None, 4, "tickets"),
        ],
    );
    l.payment_methods(&[
        (
            PaymentMethodKind::Card,
            "visa",
            "4242",
            Some((8, 2028)),
            true,
        ),
        (
            PaymentMethodKind::SepaDebit,
            "Commerzbank",
            "3000",
            None,
            false,
        ),
    ]);
}
