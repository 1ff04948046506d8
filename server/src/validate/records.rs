//! Each kind of record's field rules, and a customer's tax IDs.

use app::api::records::{
    Address, CreditBalanceInput, CreditNoteInput, CustomerInput, EntitlementInput, InvoiceInput,
    PaymentInput, PaymentMethodInput, SubscriptionInput, TaxId,
};
use app::api::rules::{self, Problem};
use app::api::settings::OrganisationSettings;

use super::{max, Check, Validate};

/// A customer's tax IDs: each of a known kind and, for the kinds Portico knows, of that
/// kind's format; at most [`rules::TAX_IDS_MAX`], none listed twice.
pub fn tax_ids(check: &mut Check, field: &str, ids: &[TaxId]) {
    if ids.len() > rules::TAX_IDS_MAX {
        check.fail(
            field,
            format!("must hold at most {} tax IDs", rules::TAX_IDS_MAX),
        );
    }
    let mut seen = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        if rules::tax_id_kind(&id.kind).is_err() {
            check.fail(
                &format!("{field}[{i}].type"),
                "must be eu_vat, gb_vat, ch_uid, us_ein, au_abn, ca_bn, or another type in \
                 lower case letters, digits and _ (such as no_vat)",
            );
            continue;
        }
        match rules::tax_id(&id.kind, &id.value) {
            Err(problem) => check.rule(&format!("{field}[{i}].value"), Err(problem), max::TAX_ID),
            Ok(written) if seen.contains(&(id.kind.as_str(), written.clone())) => check.rule(
                &format!("{field}[{i}].value"),
                Err(Problem::Duplicate),
                max::TAX_ID,
            ),
            Ok(written) => seen.push((id.kind.as_str(), written)),
        }
    }
}

/// Tax IDs in the form they are kept in: as [`rules::tax_id`] writes valid ones.
pub fn normalise_tax_ids(ids: &mut [TaxId]) {
    for id in ids {
        if let Ok(written) = rules::tax_id(&id.kind, &id.value) {
            id.value = written;
        }
    }
}

impl Validate for CustomerInput {
    fn validate(&self, check: &mut Check) {
        check.text("name", &self.name, max::NAME);
        if let Some(email) = &self.email {
            check.rule("email", rules::email(email), 254);
        }
        check.opt_text("phone", &self.phone, max::PHONE);
        tax_ids(check, "tax_ids", &self.tax_ids);
        check.locale("locale", &self.locale);
        check.nested("address.", |check| self.address.validate(check));
    }

    fn normalise(&mut self) {
        normalise_tax_ids(&mut self.tax_ids);
    }

    fn validate_for(&self, settings: &OrganisationSettings, check: &mut Check) {
        let origins = &settings.payment_origins;
        check.payment_url("balance_payment_url", &self.balance_payment_url, origins);
    }
}

impl Validate for Address {
    fn validate(&self, check: &mut Check) {
        for (field, value) in [
            ("line1", &self.line1),
            ("line2", &self.line2),
            ("city", &self.city),
            ("region", &self.region),
        ] {
            check.opt_text(field, value, max::ADDRESS_LINE);
        }
        if let Some(country) = &self.country {
            check.rule("country", rules::country(country), 2);
        }
        if let Some(code) = &self.postal_code {
            let verdict = rules::text(code, max::ADDRESS_LINE)
                .and_then(|()| rules::postal_code(self.country.as_deref(), code));
            check.rule("postal_code", verdict, max::ADDRESS_LINE);
        }
    }
}

impl Validate for InvoiceInput {
    fn validate(&self, check: &mut Check) {
        check.text("customer_id", &self.customer_id, max::REFERENCE);
        check.text("number", &self.number, max::NUMBER);
        check.currency("currency", &self.currency);
        check.non_negative("total", self.total);
        check.non_negative("amount_due", self.amount_due);
        if self.amount_due > self.total {
            check.fail("amount_due", "must not be more than total");
        }
        check.ordered(
            "period_start",
            self.period_start,
            "period_end",
            self.period_end,
        );
        check.url("pdf_url", &self.pdf_url);
        if self.lines.len() > max::INVOICE_LINES {
            check.fail("lines", "must have at most 1000 lines");
        }
        for (i, line) in self.lines.iter().enumerate() {
            check.nested(&format!("lines[{i}]."), |check| {
                check.text("description", &line.description, max::LINE_DESCRIPTION);
                check.non_negative("quantity", line.quantity);
                check.ordered(
                    "period_start",
                    line.period_start,
                    "period_end",
                    line.period_end,
                );
            });
        }
    }

    fn validate_for(&self, settings: &OrganisationSettings, check: &mut Check) {
        check.payment_url("payment_url", &self.payment_url, &settings.payment_origins);
    }
}

impl Validate for CreditNoteInput {
    fn validate(&self, check: &mut Check) {
        check.text("customer_id", &self.customer_id, max::REFERENCE);
        check.opt_text("invoice_id", &self.invoice_id, max::REFERENCE);
        check.text("number", &self.number, max::NUMBER);
        check.currency("currency", &self.currency);
        check.non_negative("total", self.total);
        check.opt_text("reason", &self.reason, max::REASON);
    }
}

impl Validate for PaymentInput {
    fn validate(&self, check: &mut Check) {
        check.text("customer_id", &self.customer_id, max::REFERENCE);
        check.opt_text("invoice_id", &self.invoice_id, max::REFERENCE);
        check.text("method", &self.method, max::METHOD);
        check.currency("currency", &self.currency);
        check.positive("amount", self.amount);
    }
}

impl Validate for EntitlementInput {
    fn validate(&self, check: &mut Check) {
        check.text("customer_id", &self.customer_id, max::REFERENCE);
        check.text("feature", &self.feature, max::NAME);
        if let Some(limit) = self.limit {
            check.non_negative("limit", limit);
        }
        check.non_negative("usage", self.usage);
        check.text("unit", &self.unit, max::UNIT);
        check.ordered(
            "valid_from",
            Some(self.valid_from),
            "valid_until",
            self.valid_until,
        );
        if self.usage_series.len() > max::USAGE_DAYS {
            check.fail("usage_series", "must hold at most 366 days");
        }
        let mut previous = None;
        for (i, point) in self.usage_series.iter().enumerate() {
            check.non_negative(&format!("usage_series[{i}].value"), point.value);
            let outside = point.date < self.valid_from
                || self.valid_until.is_some_and(|until| point.date > until);
            if outside {
                check.fail(
                    &format!("usage_series[{i}].date"),
                    "must lie within valid_from and valid_until",
                );
            } else if previous.is_some_and(|p| point.date <= p) {
                check.fail(
                    &format!("usage_series[{i}].date"),
                    "must come after the day before it: one value a day, oldest first",
                );
            }
            previous = Some(point.date);
        }
    }
}

impl Validate for SubscriptionInput {
    fn validate(&self, check: &mut Check) {
        check.text("customer_id", &self.customer_id, max::REFERENCE);
        check.text("plan", &self.plan, max::NAME);
        check.currency("currency", &self.currency);
        check.non_negative("amount", self.amount);
        check.ordered(
            "current_period_start",
            Some(self.current_period_start),
            "current_period_end",
            Some(self.current_period_end),
        );
    }
}

impl Validate for CreditBalanceInput {
    fn validate(&self, check: &mut Check) {
        check.currency("currency", &self.currency);
        check.non_negative("amount", self.amount);
        if self.transactions.len() > max::CREDIT_TRANSACTIONS {
            check.fail("transactions", "must hold at most 500 transactions");
        }
        for (i, t) in self.transactions.iter().enumerate() {
            check.nested(&format!("transactions[{i}]."), |check| {
                if t.amount == 0 {
                    check.fail(
                        "amount",
                        "must not be 0: positive adds credit, negative uses it",
                    );
                }
                check.text("description", &t.description, max::REASON);
            });
        }
    }
}

impl Validate for PaymentMethodInput {
    fn validate(&self, check: &mut Check) {
        check.text("customer_id", &self.customer_id, max::REFERENCE);
        check.opt_text("brand", &self.brand, max::BRAND);
        if let Some(last4) = &self.last4 {
            if last4.len() != 4 || !last4.chars().all(|c| c.is_ascii_digit()) {
                check.fail("last4", "must be exactly four digits");
            }
        }
        if let Some(month) = self.exp_month {
            if !(1..=12).contains(&month) {
                check.fail("exp_month", "must be between 1 and 12");
            }
        }
        if let Some(year) = self.exp_year {
            if !(2000..=2100).contains(&year) {
                check.fail("exp_year", "must be a four-digit year");
            }
        }
    }
}

impl Validate for app::api::plans::PlanInput {
    fn validate(&self, check: &mut Check) {
        check.text("name", &self.name, max::NAME);
        if self.prices.is_empty() || self.prices.len() > max::PLAN_PRICES {
            check.fail("prices", "must hold 1 to 20 prices, one a currency");
        }
        for (i, price) in self.prices.iter().enumerate() {
            check.nested(&format!("prices[{i}]."), |check| {
                check.currency("currency", &price.currency);
                check.non_negative("amount", price.amount);
            });
            if self.prices[..i]
                .iter()
                .any(|p| p.currency == price.currency)
            {
                check.rule(&format!("prices[{i}].currency"), Err(Problem::Duplicate), 3);
            }
        }
        if self.features.len() > max::PLAN_LIST {
            check.fail("features", "must hold at most 30 features");
        }
        for (i, feature) in self.features.iter().enumerate() {
            check.text(&format!("features[{i}]"), feature, max::NAME);
        }
        if self.switches_to.len() > max::PLAN_LIST {
            check.fail("switches_to", "must hold at most 30 plans");
        }
        for (i, id) in self.switches_to.iter().enumerate() {
            super::external_id(check, &format!("switches_to[{i}]"), id);
        }
    }
}
