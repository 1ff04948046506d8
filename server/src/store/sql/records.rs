//! [`RecordReader`](crate::store::RecordReader) in SQL.
//!
//! Compiled once per backend: see `sql/mod.rs`.

use std::collections::HashMap;

use app::api::records::{
    CreditNote, Customer, Entitlement, Invoice, InvoiceLine, Payment, PaymentMethod, Subscription,
};

use crate::store::{rows, Cursor, RecordCounts, RecordReader, StoreResult, VendorPage};

use super::{Db, SqlStore};

#[async_trait::async_trait]
impl RecordReader for SqlStore {
    async fn get_customer(&self, organisation_id: &str, id: &str) -> StoreResult<Option<Customer>> {
        self.by_id::<rows::CustomerRow, _>("customers", "*", organisation_id, id)
            .await
    }

    async fn find_customer(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Customer>> {
        self.find_one::<rows::CustomerRow>("customers", organisation_id, id_or_external_id)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn list_customers(
        &self,
        organisation_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<Customer>> {
        let page = VendorPage {
            customer_id: None,
            after,
            limit,
        };
        rows::convert_all(
            self.page_of::<rows::CustomerRow>("customers", organisation_id, page)
                .await?,
        )
    }

    async fn get_invoice(&self, organisation_id: &str, id: &str) -> StoreResult<Option<Invoice>> {
        let row = self
            .row_by_id::<rows::InvoiceRow>("invoices", "*", organisation_id, id)
            .await?;
        self.with_lines(row).await
    }

    async fn find_invoice(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Invoice>> {
        let row = self
            .find_one::<rows::InvoiceRow>("invoices", organisation_id, id_or_external_id)
            .await?;
        self.with_lines(row).await
    }

    async fn list_invoices(
        &self,
        organisation_id: &str,
        customer_id: &str,
        include_drafts: bool,
        before: Option<&Cursor>,
        limit: i64,
    ) -> StoreResult<Vec<Invoice>> {
        let rows = match before {
            None => sqlx::query_as::<_, rows::InvoiceRow>(
                "SELECT * FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
                 AND (status <> 'draft' OR $4) \
                 ORDER BY issued_at DESC, id DESC LIMIT $3",
            )
            .bind(organisation_id)
            .bind(customer_id)
            .bind(limit)
            .bind(include_drafts),
            Some(c) => sqlx::query_as::<_, rows::InvoiceRow>(
                "SELECT * FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
                 AND (status <> 'draft' OR $4) \
                 AND (issued_at, id) < ($5, $6) \
                 ORDER BY issued_at DESC, id DESC LIMIT $3",
            )
            .bind(organisation_id)
            .bind(customer_id)
            .bind(limit)
            .bind(include_drafts)
            .bind(c.at.timestamp_millis())
            .bind(&c.id),
        }
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| r.into_invoice(Vec::new()))
            .collect()
    }

    async fn list_credit_notes(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<CreditNote>> {
        self.all_of_customer::<rows::CreditNoteRow, _>(
            "credit_notes",
            "issued_at DESC, id DESC",
            organisation_id,
            customer_id,
        )
        .await
    }

    async fn list_payments(
        &self,
        organisation_id: &str,
        customer_id: &str,
        before: Option<&Cursor>,
        limit: i64,
    ) -> StoreResult<Vec<Payment>> {
        let rows = match before {
            None => sqlx::query_as::<_, rows::PaymentRow>(
                "SELECT * FROM payments WHERE organisation_id = $1 AND customer_id = $2 \
                 ORDER BY paid_at DESC, id DESC LIMIT $3",
            )
            .bind(organisation_id)
            .bind(customer_id)
            .bind(limit),
            Some(c) => sqlx::query_as::<_, rows::PaymentRow>(
                "SELECT * FROM payments WHERE organisation_id = $1 AND customer_id = $2 \
                 AND (paid_at, id) < ($4, $5) \
                 ORDER BY paid_at DESC, id DESC LIMIT $3",
            )
            .bind(organisation_id)
            .bind(customer_id)
            .bind(limit)
            .bind(c.at.timestamp_millis())
            .bind(&c.id),
        }
        .fetch_all(&self.pool)
        .await?;
        rows::convert_all(rows)
    }

    async fn list_entitlements(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<Entitlement>> {
        self.all_of_customer::<rows::EntitlementRow, _>(
            "entitlements",
            "feature, id",
            organisation_id,
            customer_id,
        )
        .await
    }

    async fn list_subscriptions(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<Subscription>> {
        self.all_of_customer::<rows::SubscriptionRow, _>(
            "subscriptions",
            "current_period_end DESC, id",
            organisation_id,
            customer_id,
        )
        .await
    }

    async fn list_payment_methods(
        &self,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<PaymentMethod>> {
        self.all_of_customer::<rows::PaymentMethodRow, _>(
            "payment_methods",
            "is_default DESC, created_at, id",
            organisation_id,
            customer_id,
        )
        .await
    }

    async fn find_credit_note(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<CreditNote>> {
        self.find_one::<rows::CreditNoteRow>("credit_notes", organisation_id, id_or_external_id)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn find_payment(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Payment>> {
        self.find_one::<rows::PaymentRow>("payments", organisation_id, id_or_external_id)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn find_entitlement(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Entitlement>> {
        self.find_one::<rows::EntitlementRow>("entitlements", organisation_id, id_or_external_id)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn find_subscription(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<Subscription>> {
        self.find_one::<rows::SubscriptionRow>("subscriptions", organisation_id, id_or_external_id)
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    async fn find_payment_method(
        &self,
        organisation_id: &str,
        id_or_external_id: &str,
    ) -> StoreResult<Option<PaymentMethod>> {
        self.find_one::<rows::PaymentMethodRow>(
            "payment_methods",
            organisation_id,
            id_or_external_id,
        )
        .await?
        .map(TryInto::try_into)
        .transpose()
    }

    async fn page_invoices(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Invoice>> {
        let rows = self
            .page_of::<rows::InvoiceRow>("invoices", organisation_id, page)
            .await?;
        self.with_all_lines(rows).await
    }

    async fn page_credit_notes(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<CreditNote>> {
        rows::convert_all(
            self.page_of::<rows::CreditNoteRow>("credit_notes", organisation_id, page)
                .await?,
        )
    }

    async fn page_payments(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Payment>> {
        rows::convert_all(
            self.page_of::<rows::PaymentRow>("payments", organisation_id, page)
                .await?,
        )
    }

    async fn page_entitlements(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Entitlement>> {
        rows::convert_all(
            self.page_of::<rows::EntitlementRow>("entitlements", organisation_id, page)
                .await?,
        )
    }

    async fn page_subscriptions(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Subscription>> {
        rows::convert_all(
            self.page_of::<rows::SubscriptionRow>("subscriptions", organisation_id, page)
                .await?,
        )
    }

    async fn page_payment_methods(
        &self,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<PaymentMethod>> {
        rows::convert_all(
            self.page_of::<rows::PaymentMethodRow>("payment_methods", organisation_id, page)
                .await?,
        )
    }

    async fn get_invoice_pdf(&self, invoice_id: &str) -> StoreResult<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar::<_, Vec<u8>>(
            "SELECT content FROM invoice_pdfs WHERE invoice_id = $1",
        )
        .bind(invoice_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn record_counts(&self, organisation_id: &str) -> StoreResult<RecordCounts> {
        Ok(sqlx::query_as::<_, RecordCounts>(
            "SELECT \
             (SELECT COUNT(*) FROM customers WHERE organisation_id = $1) AS customers, \
             (SELECT COUNT(*) FROM invoices WHERE organisation_id = $1) AS invoices, \
             (SELECT COUNT(*) FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id \
               WHERE i.organisation_id = $1) AS invoice_lines, \
             (SELECT COUNT(*) FROM credit_notes WHERE organisation_id = $1) AS credit_notes, \
             (SELECT COUNT(*) FROM payments WHERE organisation_id = $1) AS payments, \
             (SELECT COUNT(*) FROM entitlements WHERE organisation_id = $1) AS entitlements, \
             (SELECT COUNT(*) FROM subscriptions WHERE organisation_id = $1) AS subscriptions, \
             (SELECT COUNT(*) FROM payment_methods WHERE organisation_id = $1) AS payment_methods",
        )
        .bind(organisation_id)
        .fetch_one(&self.pool)
        .await?)
    }
}

impl SqlStore {
    /// The invoice a row holds, with its lines.
    async fn with_lines(&self, row: Option<rows::InvoiceRow>) -> StoreResult<Option<Invoice>> {
        Ok(self.with_all_lines(row.into_iter().collect()).await?.pop())
    }

    /// The invoices rows hold, with their lines, read in one query.
    async fn with_all_lines(&self, rows: Vec<rows::InvoiceRow>) -> StoreResult<Vec<Invoice>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut q =
            sqlx::QueryBuilder::<Db>::new("SELECT * FROM invoice_lines WHERE invoice_id IN (");
        let mut ids = q.separated(", ");
        for row in &rows {
            ids.push_bind(row.id.as_str());
        }
        q.push(") ORDER BY invoice_id, position");
        let mut lines: HashMap<String, Vec<InvoiceLine>> = HashMap::new();
        for line in q
            .build_query_as::<rows::InvoiceLineRow>()
            .fetch_all(&self.pool)
            .await?
        {
            lines
                .entry(line.invoice_id.clone())
                .or_default()
                .push(line.into());
        }
        rows.into_iter()
            .map(|row| {
                let lines = lines.remove(&row.id).unwrap_or_default();
                row.into_invoice(lines)
            })
            .collect()
    }
}
