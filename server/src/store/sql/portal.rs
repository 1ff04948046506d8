//! [`PortalStore`](crate::store::PortalStore) in SQL.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use app::api::portal::InvoiceSort;
use app::api::records::{
    CreditNote, Customer, CustomerInput, Invoice, InvoiceStatus, Payment, PaymentMethod,
    Subscription,
};
use chrono::{DateTime, Utc};

use crate::store::{
    from_millis, rows, BalanceRow, InvoiceSearch, PortalStore, SortCursor, SortValue, StoreResult,
};

use super::{Db, SqlStore};
use crate::store::cache::Change;

#[async_trait::async_trait]
impl PortalStore for SqlStore {
    async fn search_invoices(
        &self,
        organisation_id: &str,
        customer_id: &str,
        search: &InvoiceSearch,
        after: Option<&SortCursor>,
        limit: i64,
    ) -> StoreResult<Vec<Invoice>> {
        use InvoiceSort;
        use SortValue;
        enum Bind {
            Text(String),
            Int(i64),
            Date(chrono::NaiveDate),
        }
        // Parameters are numbered as they are added: SQLite refuses unused ones.
        let mut binds: Vec<Bind> = Vec::new();
        let mut mark = |bind: Bind| {
            binds.push(bind);
            format!("${}", binds.len() + 2)
        };
        let mut sql = String::from(
            "SELECT * FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
             AND status <> 'draft'",
        );
        if !search.statuses.is_empty() {
            let marks: Vec<String> = search
                .statuses
                .iter()
                .map(|status| mark(Bind::Text(status.as_str().to_owned())))
                .collect();
            let mut wanted = format!("status IN ({})", marks.join(", "));
            // Overdue is also what the vendor still calls open but is past its due date,
            // as the overview counts it.
            if search.statuses.contains(&InvoiceStatus::Overdue) {
                let today = mark(Bind::Date(search.today));
                wanted = format!("{wanted} OR ({})", past_due(&today));
            }
            sql.push_str(&format!(" AND ({wanted})"));
        }
        if let Some(from) = search.issued_from {
            let m = mark(Bind::Int(from.timestamp_millis()));
            sql.push_str(&format!(" AND issued_at >= {m}"));
        }
        if let Some(before) = search.issued_before {
            let m = mark(Bind::Int(before.timestamp_millis()));
            sql.push_str(&format!(" AND issued_at < {m}"));
        }
        if let Some(number) = &search.number {
            let pattern = number
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let m = mark(Bind::Text(format!("%{pattern}%")));
            sql.push_str(&format!(" AND LOWER(number) LIKE {m} ESCAPE '\\'"));
        }
        // Invoices without a due date sort as if due at the end of time.
        let key = match search.sort {
            InvoiceSort::IssuedAt => "issued_at".to_owned(),
            InvoiceSort::Total => "total".to_owned(),
            InvoiceSort::AmountDue => "amount_due".to_owned(),
            InvoiceSort::DueDate => {
                format!(
                    "COALESCE(due_date, {})",
                    mark(Bind::Date(rows::no_due_date()))
                )
            }
        };
        let (cmp, dir) = if search.descending {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some(cursor) = after {
            let v = mark(match cursor.value {
                SortValue::Int(v) => Bind::Int(v),
                SortValue::Date(d) => Bind::Date(d),
            });
            let id = mark(Bind::Text(cursor.id.clone()));
            // A row-value comparison, which both databases can answer with an
            // index range scan; the equivalent OR form makes PostgreSQL read every
            // earlier row, so deep pages got slower.
            sql.push_str(&format!(" AND ({key}, id) {cmp} ({v}, {id})"));
        }
        let l = mark(Bind::Int(limit));
        sql.push_str(&format!(" ORDER BY {key} {dir}, id {dir} LIMIT {l}"));

        let mut query = sqlx::query_as::<Db, rows::InvoiceRow>(&sql)
            .bind(organisation_id)
            .bind(customer_id);
        for bind in binds {
            query = match bind {
                Bind::Text(t) => query.bind(t),
                Bind::Int(v) => query.bind(v),
                Bind::Date(d) => query.bind(d),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| r.into_invoice(Vec::new()))
            .collect()
    }

    async fn invoice_payments(
        &self,
        organisation_id: &str,
        customer_id: &str,
        invoice_id: &str,
    ) -> StoreResult<Vec<Payment>> {
        self.all_of_invoice::<rows::PaymentRow, _>(
            "payments",
            "paid_at, id",
            organisation_id,
            customer_id,
            invoice_id,
        )
        .await
    }

    async fn invoice_credit_notes(
        &self,
        organisation_id: &str,
        customer_id: &str,
        invoice_id: &str,
    ) -> StoreResult<Vec<CreditNote>> {
        self.all_of_invoice::<rows::CreditNoteRow, _>(
            "credit_notes",
            "issued_at, id",
            organisation_id,
            customer_id,
            invoice_id,
        )
        .await
    }

    async fn has_invoice_pdf(&self, invoice_id: &str) -> StoreResult<bool> {
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM invoice_pdfs WHERE invoice_id = $1")
                .bind(invoice_id)
                .fetch_one(&self.pool)
                .await?
                > 0,
        )
    }

    async fn invoice_numbers(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as::<_, (String, String)>(
            "SELECT id, number FROM invoices WHERE organisation_id = $1 \
             AND customer_id = $2 AND status <> 'draft'",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn balances(
        &self,
        organisation_id: &str,
        customer_id: &str,
        today: chrono::NaiveDate,
    ) -> StoreResult<Vec<BalanceRow>> {
        // SUM over BIGINT is NUMERIC on PostgreSQL; the casts keep both at BIGINT.
        let overdue = format!("status = 'overdue' OR ({})", past_due("$3"));
        let sql = format!(
            "SELECT currency, \
             CAST(SUM(amount_due) AS BIGINT) AS amount_due, \
             CAST(SUM(CASE WHEN {overdue} THEN amount_due ELSE 0 END) AS BIGINT) AS overdue, \
             CAST(SUM(CASE WHEN {overdue} THEN 1 ELSE 0 END) AS BIGINT) AS overdue_invoices \
             FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
             AND status IN ('open', 'partially_paid', 'overdue') AND amount_due > 0 \
             GROUP BY currency ORDER BY amount_due DESC, currency",
        );
        let rows = sqlx::query_as::<_, rows::BalanceRow>(&sql)
            .bind(organisation_id)
            .bind(customer_id)
            .bind(today)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| BalanceRow {
                currency: r.currency,
                amount_due: r.amount_due,
                overdue: r.overdue,
                overdue_invoices: r.overdue_invoices,
            })
            .collect())
    }

    async fn invoiced_since(
        &self,
        organisation_id: &str,
        customer_id: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<(DateTime<Utc>, String, i64)>> {
        let rows = sqlx::query_as::<_, (i64, String, i64)>(
            "SELECT issued_at, currency, total FROM invoices \
             WHERE organisation_id = $1 AND customer_id = $2 AND issued_at >= $3 \
             AND status NOT IN ('draft', 'void') ORDER BY issued_at",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .bind(since.timestamp_millis())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(at, currency, total)| Ok((from_millis(at)?, currency, total)))
            .collect()
    }

    async fn update_profile(
        &self,
        organisation_id: &str,
        customer_id: &str,
        input: &CustomerInput,
        changed: &[String],
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Customer>> {
        let a = &input.address;
        let mut tx = self.write_tx().await?;
        let row = sqlx::query_as::<_, rows::CustomerRow>(
            "UPDATE customers SET name = $3, email = $4, phone = $5, tax_ids = $6, \
             address_line1 = $7, address_line2 = $8, address_postal_code = $9, \
             address_city = $10, address_region = $11, address_country = $12, \
             updated_at = $13 WHERE organisation_id = $1 AND id = $2 RETURNING *",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .bind(&input.name)
        .bind(&input.email)
        .bind(&input.phone)
        .bind(rows::tax_ids_text(&input.tax_ids))
        .bind(&a.line1)
        .bind(&a.line2)
        .bind(&a.postal_code)
        .bind(&a.city)
        .bind(&a.region)
        .bind(&a.country)
        .bind(now.timestamp_millis())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let customer: Customer = row.try_into()?;
        // The vendor's copy is brought up to date from the event alone.
        let payload = serde_json::json!({
            "customer_id": customer.id,
            "external_id": customer.external_id,
            "changed": changed,
            "by": "customer",
            "customer": {
                "name": customer.name,
                "email": customer.email,
                "phone": customer.phone,
                "tax_ids": customer.tax_ids,
                "address": customer.address,
            },
        });
        self.customer_changed(
            tx,
            organisation_id,
            customer_id,
            "customer.updated",
            &payload,
            now,
        )
        .await?;
        Ok(Some(customer))
    }

    async fn cancel_at_period_end(
        &self,
        organisation_id: &str,
        customer_id: &str,
        subscription_id: &str,
        cancel: Option<&app::api::portal::CancelRequest>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Subscription>> {
        let mut tx = self.write_tx().await?;
        let updated = sqlx::query_as::<_, rows::SubscriptionRow>(
            "UPDATE subscriptions SET cancel_at_period_end = $4, cancelled_at = $5, \
             updated_at = $6 WHERE organisation_id = $1 AND customer_id = $2 AND id = $3 \
             AND cancel_at_period_end = $7 RETURNING *",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .bind(subscription_id)
        .bind(cancel.is_some())
        .bind(cancel.map(|_| now.timestamp_millis()))
        .bind(now.timestamp_millis())
        .bind(cancel.is_none())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = updated else {
            let existing = sqlx::query_as::<_, rows::SubscriptionRow>(
                "SELECT * FROM subscriptions WHERE organisation_id = $1 \
                 AND customer_id = $2 AND id = $3",
            )
            .bind(organisation_id)
            .bind(customer_id)
            .bind(subscription_id)
            .fetch_optional(&mut *tx)
            .await?;
            return existing.map(TryInto::try_into).transpose();
        };
        let subscription: Subscription = row.try_into()?;
        let mut payload = serde_json::json!({
            "subscription_id": subscription.id,
            "external_id": subscription.external_id,
            "plan": subscription.plan,
            "ends_at": subscription.current_period_end,
            "by": "customer",
        });
        let kind = match cancel {
            Some(why) => {
                payload["reason"] = serde_json::json!(why.reason);
                payload["comment"] = serde_json::json!(why.comment);
                "subscription.cancellation_requested"
            }
            None => {
                payload["renews_at"] = serde_json::json!(subscription.renews_at);
                "subscription.cancellation_withdrawn"
            }
        };
        self.customer_changed(tx, organisation_id, customer_id, kind, &payload, now)
            .await?;
        Ok(Some(subscription))
    }

    async fn set_default_payment_method(
        &self,
        organisation_id: &str,
        customer_id: &str,
        payment_method_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PaymentMethod>> {
        let mut tx = self.write_tx().await?;
        let chosen = sqlx::query_as::<_, rows::PaymentMethodRow>(
            "SELECT * FROM payment_methods WHERE organisation_id = $1 \
             AND customer_id = $2 AND id = $3",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .bind(payment_method_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(chosen) = chosen else {
            return Ok(None);
        };
        if chosen.is_default {
            return chosen.try_into().map(Some);
        }
        sqlx::query(
            "UPDATE payment_methods SET is_default = (id = $3), updated_at = $4 \
             WHERE organisation_id = $1 AND customer_id = $2",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .bind(payment_method_id)
        .bind(now.timestamp_millis())
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query_as::<_, rows::PaymentMethodRow>(
            "SELECT * FROM payment_methods WHERE id = $1",
        )
        .bind(payment_method_id)
        .fetch_one(&mut *tx)
        .await?;
        let method: PaymentMethod = row.try_into()?;
        let payload = serde_json::json!({
            "payment_method_id": method.id,
            "external_id": method.external_id,
            "by": "customer",
        });
        self.customer_changed(
            tx,
            organisation_id,
            customer_id,
            "payment_method.default_changed",
            &payload,
            now,
        )
        .await?;
        Ok(Some(method))
    }

    async fn remove_payment_method(
        &self,
        organisation_id: &str,
        customer_id: &str,
        payment_method_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PaymentMethod>> {
        let mut tx = self.write_tx().await?;
        let removed = sqlx::query_as::<_, rows::PaymentMethodRow>(
            "DELETE FROM payment_methods WHERE organisation_id = $1 AND customer_id = $2 \
             AND id = $3 AND is_default = FALSE RETURNING *",
        )
        .bind(organisation_id)
        .bind(customer_id)
        .bind(payment_method_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(removed) = removed else {
            return Ok(None);
        };
        let method: PaymentMethod = removed.try_into()?;
        let payload = serde_json::json!({
            "payment_method_id": method.id,
            "external_id": method.external_id,
            "kind": method.kind.as_str(),
            "brand": method.brand,
            "last4": method.last4,
            "by": "customer",
        });
        self.customer_changed(
            tx,
            organisation_id,
            customer_id,
            "payment_method.removed",
            &payload,
            now,
        )
        .await?;
        Ok(Some(method))
    }
}

impl SqlStore {
    /// Ends a change the customer made in `tx`: its event, the announcement that the
    /// customer's lists changed, the commit, and this instance's memory told.
    async fn customer_changed(
        &self,
        mut tx: sqlx::Transaction<'static, Db>,
        organisation_id: &str,
        customer_id: &str,
        kind: &str,
        payload: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        Self::insert_event(
            &mut tx,
            organisation_id,
            Some(customer_id),
            kind,
            payload,
            now,
        )
        .await?;
        let change = Change::customer(organisation_id, customer_id);
        Self::announce(&mut tx, &change).await?;
        tx.commit().await?;
        self.changed([&change]);
        Ok(())
    }
}

/// An invoice the vendor still calls open (or partly paid) that is owed and past its due
/// date on the day bound at `today`: overdue to the customer, whatever its status says.
fn past_due(today: &str) -> String {
    format!(
        "status IN ('open', 'partially_paid') AND amount_due > 0 AND due_date IS NOT NULL \
         AND due_date < {today}"
    )
}
