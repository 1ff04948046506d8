//! One demo customer's billing history as data: the records a profile's history adds,
//! then written in the order their references need, each through the vendor's upsert.

use app::api::records::{
    BillingInterval, CreditBalanceInput, CreditNoteInput, CreditNoteStatus, CreditTransaction,
    EntitlementInput, InvoiceInput, InvoiceLine, InvoiceStatus, PaymentInput, PaymentKind,
    PaymentMethodInput, PaymentMethodKind, PaymentStatus, SubscriptionInput, SubscriptionStatus,
};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, TimeZone, Utc};

use super::put;
use crate::routes::records::{
    CreditNotes, Entitlements, Invoices, Kind, PaymentMethods, Payments, Subscriptions,
};
use crate::store::{Organisation, Store};

/// A customer's records, each under its vendor id, with dates anchored on today.
pub(super) struct Ledger {
    customer: &'static str,
    prefix: &'static str,
    currency: &'static str,
    vat_percent: i64,
    today: NaiveDate,
    /// The demo's payment page, when this server's address allows one.
    pay_page: Option<String>,
    invoices: Vec<(String, InvoiceInput)>,
    payments: Vec<(String, PaymentInput)>,
    credit_notes: Vec<(String, CreditNoteInput)>,
    subscriptions: Vec<(String, SubscriptionInput)>,
    entitlements: Vec<(String, EntitlementInput)>,
    payment_methods: Vec<(String, PaymentMethodInput)>,
    /// Movements of the customer's credit, in the ledger's currency.
    credit: Vec<CreditTransaction>,
}

/// An invoice the ledger holds: its vendor id and what it totals.
pub(super) struct Billed {
    id: String,
    pub total: i64,
}

/// A payment method: kind, brand or bank, last four digits, a card's expiry (month,
/// year), and whether it is the default.
pub(super) type MethodRow<'a> = (
    PaymentMethodKind,
    &'a str,
    &'a str,
    Option<(i32, i32)>,
    bool,
);

/// What became of money moved against an invoice.
pub(super) enum Outcome {
    Paid,
    /// The bank declined it.
    Declined,
    /// Given back.
    Refunded,
}

/// A plan as a subscription row shows it: name, price and how often it bills.
pub(super) struct Plan {
    pub name: &'static str,
    /// The plan's id in the demo's catalogue, when it is one of its plans.
    pub catalogue: Option<&'static str>,
    pub amount: i64,
    pub interval: BillingInterval,
}

impl Ledger {
    /// An empty ledger for the customer `customer` (its vendor id), billing in `currency`
    /// with VAT at `vat_percent` on every invoice.
    pub(super) fn new(
        customer: &'static str,
        currency: &'static str,
        vat_percent: i64,
        today: NaiveDate,
        pay_page: Option<String>,
    ) -> Self {
        Self {
            customer,
            prefix: customer.trim_start_matches("cus_"),
            currency,
            vat_percent,
            today,
            pay_page,
            invoices: Vec::new(),
            payments: Vec::new(),
            credit_notes: Vec::new(),
            subscriptions: Vec::new(),
            entitlements: Vec::new(),
            payment_methods: Vec::new(),
            credit: Vec::new(),
        }
    }

    /// The first day of the month `months_ago` months before this one.
    pub(super) fn month(&self, months_ago: u32) -> NaiveDate {
        let first = self.today.with_day(1).expect("day 1 exists in every month");
        first - Months::new(months_ago)
    }

    /// The last day of that month.
    pub(super) fn month_end(&self, months_ago: u32) -> NaiveDate {
        (self.month(months_ago) + Months::new(1)) - Duration::days(1)
    }

    /// Noon UTC on a date: a plausible moment for a billing run.
    pub(super) fn at(&self, date: NaiveDate) -> DateTime<Utc> {
        Utc.from_utc_datetime(&date.and_hms_opt(12, 0, 0).expect("noon exists"))
    }

    pub(super) fn today(&self) -> NaiveDate {
        self.today
    }

    /// The vendor id of the `n`th record of a kind, e.g. `inv_northwind_003`.
    pub(super) fn id(&self, kind: &str, n: u32) -> String {
        format!("{kind}_{}_{n:03}", self.prefix)
    }

    /// Adds invoice `n`, due in 30 days, whose total is the sum of its lines plus VAT. A
    /// partly paid one owes what its payments (added next) leave.
    pub(super) fn invoice(
        &mut self,
        n: u32,
        number: String,
        status: InvoiceStatus,
        issued: DateTime<Utc>,
        period: (NaiveDate, NaiveDate),
        mut lines: Vec<InvoiceLine>,
    ) -> Billed {
        let net: i64 = lines.iter().map(|l| l.amount).sum();
        if self.vat_percent > 0 {
            let vat = (net * self.vat_percent + 50) / 100;
            lines.push(line(&format!("VAT {} %", self.vat_percent), 1, vat, None));
        }
        let total: i64 = lines.iter().map(|l| l.amount).sum();
        let amount_due = match status {
            InvoiceStatus::Paid | InvoiceStatus::Void => 0,
            _ => total,
        };
        let id = self.id("inv", n);
        let payment_url = self
            .pay_page
            .as_ref()
            .map(|page| format!("{page}?invoice={}", app::api::routes::encode(&number)));
        self.invoices.push((
            id.clone(),
            InvoiceInput {
                customer_id: self.customer.to_owned(),
                number,
                status,
                currency: self.currency.to_owned(),
                total,
                amount_due,
                due_date: Some(issued.date_naive() + Duration::days(30)),
                period_start: Some(period.0),
                period_end: Some(period.1),
                issued_at: issued,
                lines,
                pdf_url: None,
                payment_url,
            },
        ));
        Billed { id, total }
    }

    /// A credit note on `invoice` for `total`, issued `at`, saying why.
    pub(super) fn credit_note(
        &mut self,
        invoice: &Billed,
        number: String,
        total: i64,
        reason: &str,
        at: DateTime<Utc>,
    ) {
        let n = self.credit_notes.len() as u32 + 1;
        self.credit_notes.push((
            self.id("cn", n),
            CreditNoteInput {
                customer_id: self.customer.to_owned(),
                invoice_id: Some(invoice.id.clone()),
                number,
                status: CreditNoteStatus::Issued,
                currency: self.currency.to_owned(),
                total,
                reason: Some(reason.to_owned()),
                issued_at: at,
            },
        ));
    }

    /// A payment, failed attempt or refund of `amount` on `invoice`, by `method`, at `at`.
    pub(super) fn payment(
        &mut self,
        id: String,
        invoice: &Billed,
        outcome: Outcome,
        method: &str,
        amount: i64,
        paid_at: DateTime<Utc>,
    ) {
        let (kind, status) = match outcome {
            Outcome::Paid => (PaymentKind::Payment, PaymentStatus::Succeeded),
            Outcome::Declined => (PaymentKind::Payment, PaymentStatus::Failed),
            Outcome::Refunded => (PaymentKind::Refund, PaymentStatus::Succeeded),
        };
        let settles = kind == PaymentKind::Payment && status == PaymentStatus::Succeeded;
        if let Some((_, partly)) = self.invoices.iter_mut().find(|(id, i)| {
            *id == invoice.id && i.status == InvoiceStatus::PartiallyPaid && settles
        }) {
            partly.amount_due -= amount;
        }
        self.payments.push((
            id,
            PaymentInput {
                customer_id: self.customer.to_owned(),
                invoice_id: Some(invoice.id.clone()),
                kind,
                status,
                method: method.to_owned(),
                currency: self.currency.to_owned(),
                amount,
                paid_at,
            },
        ));
    }

    /// A subscription to `plan` in its `period`; `renews` is set on a live one, and
    /// `cancelled` is when a cancelled one was given up.
    pub(super) fn subscription(
        &mut self,
        plan: Plan,
        status: SubscriptionStatus,
        period: (NaiveDate, NaiveDate),
        cancelled: Option<DateTime<Utc>>,
    ) {
        let n = self.subscriptions.len() as u32 + 1;
        self.subscriptions.push((
            self.id("sub", n),
            SubscriptionInput {
                customer_id: self.customer.to_owned(),
                plan: plan.name.to_owned(),
                plan_id: plan.catalogue.map(str::to_owned),
                status,
                currency: self.currency.to_owned(),
                amount: plan.amount,
                interval: plan.interval,
                current_period_start: period.0,
                current_period_end: period.1,
                renews_at: cancelled.is_none().then(|| period.1 + Duration::days(1)),
                cancel_at_period_end: cancelled.is_some(),
                cancelled_at: cancelled,
            },
        ));
    }

    /// What the customer may use in `valid` (from, until): feature, limit (none for
    /// unlimited), usage so far and unit, one row each.
    pub(super) fn entitlements(
        &mut self,
        valid: (NaiveDate, NaiveDate),
        rows: &[(&str, Option<i64>, i64, &str)],
    ) {
        for (n, &(feature, limit, usage, unit)) in (1..).zip(rows) {
            self.entitlements.push((
                self.id("ent", n),
                EntitlementInput {
                    customer_id: self.customer.to_owned(),
                    feature: feature.to_owned(),
                    limit,
                    usage,
                    unit: unit.to_owned(),
                    valid_from: valid.0,
                    valid_until: Some(valid.1),
                    usage_series: Vec::new(),
                },
            ));
        }
    }

    /// Gives the `n`th entitlement a day-by-day record from its first day up to today,
    /// `per_day(i)` on the `i`th day, and makes its usage their sum.
    pub(super) fn daily_use(&mut self, n: u32, per_day: impl Fn(u32) -> i64) {
        let today = self.today;
        let Some((_, e)) = self.entitlements.get_mut(n as usize - 1) else {
            return;
        };
        let last = e.valid_until.map_or(today, |until| until.min(today));
        e.usage_series = (0u32..)
            .map(|i| (i, e.valid_from + Duration::days(i64::from(i))))
            .take_while(|(_, date)| *date <= last)
            .take(366)
            .map(|(i, date)| app::api::records::UsagePoint {
                date,
                value: per_day(i),
            })
            .collect();
        e.usage = e.usage_series.iter().map(|p| p.value).sum();
    }

    /// The customer's payment methods: kind, brand or bank, last four digits, expiry
    /// (month, year) of a card, and whether it is the default; one row each.
    pub(super) fn payment_methods(&mut self, rows: &[MethodRow<'_>]) {
        for (n, &(kind, brand, last4, expires, is_default)) in (1..).zip(rows) {
            self.payment_methods.push((
                self.id("pm", n),
                PaymentMethodInput {
                    customer_id: self.customer.to_owned(),
                    kind,
                    brand: Some(brand.to_owned()),
                    last4: Some(last4.to_owned()),
                    exp_month: expires.map(|e| e.0),
                    exp_year: expires.map(|e| e.1),
                    is_default,
                },
            ));
        }
    }

    /// Writes every record, invoices before what points at them.
    pub(super) async fn write(
        &self,
        store: &dyn Store,
        organisation: &Organisation,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        write_all::<Invoices>(store, organisation, &self.invoices, now).await?;
        write_all::<Payments>(store, organisation, &self.payments, now).await?;
        write_all::<CreditNotes>(store, organisation, &self.credit_notes, now).await?;
        write_all::<Subscriptions>(store, organisation, &self.subscriptions, now).await?;
        write_all::<Entitlements>(store, organisation, &self.entitlements, now).await?;
        write_all::<PaymentMethods>(store, organisation, &self.payment_methods, now).await?;
        if !self.credit.is_empty() {
            let held: i64 = self.credit.iter().map(|t| t.amount).sum();
            let balance = CreditBalanceInput {
                currency: self.currency.to_owned(),
                amount: held.max(0),
                transactions: self.credit.clone(),
            };
            crate::routes::credits::write_credit_balance(
                store,
                &organisation.id,
                self.customer,
                balance,
                now,
            )
            .await
            .map_err(|e| anyhow::anyhow!("the demo's credit for {}: {e:?}", self.customer))?;
        }
        Ok(())
    }

    /// Credit added (positive) or used (negative) `days_ago`, as the customer reads it.
    pub(super) fn credit(&mut self, amount: i64, description: &str, days_ago: i64) {
        let day = self.today - Duration::days(days_ago);
        self.credit.push(CreditTransaction {
            amount,
            description: description.to_owned(),
            created_at: self.at(day),
        });
    }
}

async fn write_all<K: Kind>(
    store: &dyn Store,
    organisation: &Organisation,
    records: &[(String, K::Input)],
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    for (id, input) in records {
        put::<K>(store, organisation, id, input, now).await?;
    }
    Ok(())
}

/// An invoice line of `quantity` × `unit_amount`, for a service `period` if it has one.
pub(super) fn line(
    description: &str,
    quantity: i64,
    unit_amount: i64,
    period: Option<(NaiveDate, NaiveDate)>,
) -> InvoiceLine {
    InvoiceLine {
        description: description.to_owned(),
        quantity,
        unit_amount,
        amount: quantity * unit_amount,
        period_start: period.map(|p| p.0),
        period_end: period.map(|p| p.1),
    }
}
