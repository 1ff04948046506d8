//! [`RecordWriter`](crate::store::RecordWriter) in SQL.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use app::api::records::{
    CreditNote, CreditNoteInput, Customer, CustomerInput, Entitlement, EntitlementInput, Invoice,
    InvoiceInput, Payment, PaymentInput, PaymentMethod, PaymentMethodInput, Subscription,
    SubscriptionInput,
};
use chrono::{DateTime, Utc};

use crate::store::rows::upsert;
use crate::store::{rows, RecordKind, RecordWriter, StoreResult, Upserted};

use super::SqlStore;

#[async_trait::async_trait]
impl RecordWriter for SqlStore {
    async fn upsert_customer(
        &self,
        organisation_id: &str,
        external_id: &str,
        input: &CustomerInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Customer, Upserted)> {
        let now = now.timestamp_millis();
        let id = rows::new_id();
        let a = &input.address;
        let mut conn = self.pool.acquire().await?;
        let (row, outcome) = upsert!(
            conn,
            rows::CustomerRow,
            insert: "INSERT INTO customers (organisation_id, external_id, name, email, \
                phone, tax_id, address_line1, address_line2, address_postal_code, \
                address_city, address_region, address_country, locale, updated_at, \
                created_at, id) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
                ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
            update: "UPDATE customers SET name = $3, email = $4, phone = $5, \
                tax_id = $6, address_line1 = $7, address_line2 = $8, \
                address_postal_code = $9, address_city = $10, address_region = $11, \
                address_country = $12, locale = $13, updated_at = $14 \
                WHERE organisation_id = $1 AND external_id = $2 AND id <> $15 \
                RETURNING *",
            binds: |q| q
                .bind(organisation_id)
                .bind(external_id)
                .bind(&input.name)
                .bind(&input.email)
                .bind(&input.phone)
                .bind(&input.tax_id)
                .bind(&a.line1)
                .bind(&a.line2)
                .bind(&a.postal_code)
                .bind(&a.city)
                .bind(&a.region)
                .bind(&a.country)
                .bind(&input.locale)
                .bind(now)
                .bind(&id)
        );
        Ok((row.try_into()?, outcome))
    }

    async fn upsert_invoice(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        input: &InvoiceInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Invoice, Upserted)> {
        let now = now.timestamp_millis();
        let id = rows::new_id();
        let mut tx = self.write_tx().await?;
        let (row, outcome) = upsert!(
            tx,
            rows::InvoiceRow,
            insert: "INSERT INTO invoices (organisation_id, external_id, customer_id, \
                number, status, currency, total, amount_due, due_date, period_start, \
                period_end, issued_at, pdf_url, updated_at, created_at, id) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
                ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
            update: "UPDATE invoices SET customer_id = $3, number = $4, status = $5, \
                currency = $6, total = $7, amount_due = $8, due_date = $9, \
                period_start = $10, period_end = $11, issued_at = $12, pdf_url = $13, \
                updated_at = $14 \
                WHERE organisation_id = $1 AND external_id = $2 AND id <> $15 \
                RETURNING *",
            binds: |q| q
                .bind(organisation_id)
                .bind(external_id)
                .bind(customer_id)
                .bind(&input.number)
                .bind(input.status.as_str())
                .bind(&input.currency)
                .bind(input.total)
                .bind(input.amount_due)
                .bind(input.due_date)
                .bind(input.period_start)
                .bind(input.period_end)
                .bind(input.issued_at.timestamp_millis())
                .bind(&input.pdf_url)
                .bind(now)
                .bind(&id)
        );
        sqlx::query("DELETE FROM invoice_lines WHERE invoice_id = $1")
            .bind(&row.id)
            .execute(&mut *tx)
            .await?;
        for (position, line) in input.lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO invoice_lines (invoice_id, position, description, \
                 quantity, unit_amount, amount, period_start, period_end) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&row.id)
            .bind(i32::try_from(position).unwrap_or(i32::MAX))
            .bind(&line.description)
            .bind(line.quantity)
            .bind(line.unit_amount)
            .bind(line.amount)
            .bind(line.period_start)
            .bind(line.period_end)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok((row.into_invoice(input.lines.clone())?, outcome))
    }

    async fn upsert_credit_note(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        invoice_id: Option<&str>,
        input: &CreditNoteInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(CreditNote, Upserted)> {
        let now = now.timestamp_millis();
        let id = rows::new_id();
        let mut conn = self.pool.acquire().await?;
        let (row, outcome) = upsert!(
            conn,
            rows::CreditNoteRow,
            insert: "INSERT INTO credit_notes (organisation_id, external_id, \
                customer_id, invoice_id, number, status, currency, total, reason, \
                issued_at, updated_at, created_at, id) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) \
                ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
            update: "UPDATE credit_notes SET customer_id = $3, invoice_id = $4, \
                number = $5, status = $6, currency = $7, total = $8, reason = $9, \
                issued_at = $10, updated_at = $11 \
                WHERE organisation_id = $1 AND external_id = $2 AND id <> $12 \
                RETURNING *",
            binds: |q| q
                .bind(organisation_id)
                .bind(external_id)
                .bind(customer_id)
                .bind(invoice_id)
                .bind(&input.number)
                .bind(input.status.as_str())
                .bind(&input.currency)
                .bind(input.total)
                .bind(&input.reason)
                .bind(input.issued_at.timestamp_millis())
                .bind(now)
                .bind(&id)
        );
        Ok((row.try_into()?, outcome))
    }

    async fn upsert_payment(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        invoice_id: Option<&str>,
        input: &PaymentInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Payment, Upserted)> {
        let now = now.timestamp_millis();
        let id = rows::new_id();
        let mut conn = self.pool.acquire().await?;
        let (row, outcome) = upsert!(
            conn,
            rows::PaymentRow,
            insert: "INSERT INTO payments (organisation_id, external_id, customer_id, \
                invoice_id, kind, status, method, currency, amount, paid_at, \
                updated_at, created_at, id) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) \
                ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
            update: "UPDATE payments SET customer_id = $3, invoice_id = $4, kind = $5, \
                status = $6, method = $7, currency = $8, amount = $9, paid_at = $10, \
                updated_at = $11 \
                WHERE organisation_id = $1 AND external_id = $2 AND id <> $12 \
                RETURNING *",
            binds: |q| q
                .bind(organisation_id)
                .bind(external_id)
                .bind(customer_id)
                .bind(invoice_id)
                .bind(input.kind.as_str())
                .bind(input.status.as_str())
                .bind(&input.method)
                .bind(&input.currency)
                .bind(input.amount)
                .bind(input.paid_at.timestamp_millis())
                .bind(now)
                .bind(&id)
        );
        Ok((row.try_into()?, outcome))
    }

    async fn upsert_entitlement(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        input: &EntitlementInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Entitlement, Upserted)> {
        let now = now.timestamp_millis();
        let id = rows::new_id();
        let mut conn = self.pool.acquire().await?;
        let (row, outcome) = upsert!(
            conn,
            rows::EntitlementRow,
            insert: "INSERT INTO entitlements (organisation_id, external_id, \
                customer_id, feature, limit_value, usage, unit, valid_from, \
                valid_until, updated_at, created_at, id) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) \
                ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
            update: "UPDATE entitlements SET customer_id = $3, feature = $4, \
                limit_value = $5, usage = $6, unit = $7, valid_from = $8, \
                valid_until = $9, updated_at = $10 \
                WHERE organisation_id = $1 AND external_id = $2 AND id <> $11 \
                RETURNING *",
            binds: |q| q
                .bind(organisation_id)
                .bind(external_id)
                .bind(customer_id)
                .bind(&input.feature)
                .bind(input.limit)
                .bind(input.usage)
                .bind(&input.unit)
                .bind(input.valid_from)
                .bind(input.valid_until)
                .bind(now)
                .bind(&id)
        );
        Ok((row.try_into()?, outcome))
    }

    async fn upsert_subscription(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        input: &SubscriptionInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Subscription, Upserted)> {
        let now = now.timestamp_millis();
        let id = rows::new_id();
        let mut conn = self.pool.acquire().await?;
        let (row, outcome) = upsert!(
            conn,
            rows::SubscriptionRow,
            insert: "INSERT INTO subscriptions (organisation_id, external_id, \
                customer_id, plan, status, currency, amount, billing_interval, \
                current_period_start, current_period_end, renews_at, \
                cancel_at_period_end, cancelled_at, updated_at, created_at, id) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
                ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
            update: "UPDATE subscriptions SET customer_id = $3, plan = $4, status = $5, \
                currency = $6, amount = $7, billing_interval = $8, \
                current_period_start = $9, current_period_end = $10, renews_at = $11, \
                cancel_at_period_end = $12, cancelled_at = $13, updated_at = $14 \
                WHERE organisation_id = $1 AND external_id = $2 AND id <> $15 \
                RETURNING *",
            binds: |q| q
                .bind(organisation_id)
                .bind(external_id)
                .bind(customer_id)
                .bind(&input.plan)
                .bind(input.status.as_str())
                .bind(&input.currency)
                .bind(input.amount)
                .bind(input.interval.as_str())
                .bind(input.current_period_start)
                .bind(input.current_period_end)
                .bind(input.renews_at)
                .bind(input.cancel_at_period_end)
                .bind(input.cancelled_at.map(|t| t.timestamp_millis()))
                .bind(now)
                .bind(&id)
        );
        Ok((row.try_into()?, outcome))
    }

    async fn upsert_payment_method(
        &self,
        organisation_id: &str,
        external_id: &str,
        customer_id: &str,
        input: &PaymentMethodInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(PaymentMethod, Upserted)> {
        let now = now.timestamp_millis();
        let id = rows::new_id();
        let mut tx = self.write_tx().await?;
        if input.is_default {
            sqlx::query(
                "UPDATE payment_methods SET is_default = $4, updated_at = $5 \
                 WHERE organisation_id = $1 AND customer_id = $2 \
                 AND external_id <> $3 AND is_default = $6",
            )
            .bind(organisation_id)
            .bind(customer_id)
            .bind(external_id)
            .bind(false)
            .bind(now)
            .bind(true)
            .execute(&mut *tx)
            .await?;
        }
        let (row, outcome) = upsert!(
            tx,
            rows::PaymentMethodRow,
            insert: "INSERT INTO payment_methods (organisation_id, external_id, \
                customer_id, kind, brand, last4, exp_month, exp_year, is_default, \
                updated_at, created_at, id) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) \
                ON CONFLICT (organisation_id, external_id) DO NOTHING RETURNING *",
            update: "UPDATE payment_methods SET customer_id = $3, kind = $4, \
                brand = $5, last4 = $6, exp_month = $7, exp_year = $8, \
                is_default = $9, updated_at = $10 \
                WHERE organisation_id = $1 AND external_id = $2 AND id <> $11 \
                RETURNING *",
            binds: |q| q
                .bind(organisation_id)
                .bind(external_id)
                .bind(customer_id)
                .bind(input.kind.as_str())
                .bind(&input.brand)
                .bind(&input.last4)
                .bind(input.exp_month)
                .bind(input.exp_year)
                .bind(input.is_default)
                .bind(now)
                .bind(&id)
        );
        tx.commit().await?;
        Ok((row.try_into()?, outcome))
    }

    async fn delete_record(
        &self,
        kind: RecordKind,
        organisation_id: &str,
        id: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(&format!(
            "DELETE FROM {} WHERE organisation_id = $1 AND id = $2",
            kind.table()
        ))
        .bind(organisation_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn put_invoice_pdf(
        &self,
        invoice_id: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO invoice_pdfs (invoice_id, content, uploaded_at) VALUES ($1, $2, $3) \
             ON CONFLICT (invoice_id) DO UPDATE SET content = excluded.content, \
             uploaded_at = excluded.uploaded_at",
        )
        .bind(invoice_id)
        .bind(content)
        .bind(now.timestamp_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
