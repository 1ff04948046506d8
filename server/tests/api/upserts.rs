//! One record at a time through the store's write batch, for tests that set up records
//! directly: each call is a batch of one, as a vendor's `PUT` is. The customer and invoice
//! are given as Portico's ids, which the batch resolves like the vendor's.

use app::api::records::*;
use chrono::{DateTime, Utc};
use server::store::{BatchItem, BatchRecord, Store, StoreError, StoreResult, Upserted};

/// Writes one record; answers Portico's id and whether it was new.
async fn write<S: Store + ?Sized>(
    store: &S,
    org: &str,
    external_id: &str,
    record: BatchRecord,
    now: DateTime<Utc>,
) -> StoreResult<(String, Upserted)> {
    let item = BatchItem {
        external_id: external_id.into(),
        record,
        valid: true,
    };
    let outcome = store
        .write_batch(org, std::slice::from_ref(&item), now)
        .await?
        .pop()
        .unwrap_or_default();
    outcome
        .written
        .ok_or_else(|| StoreError::Corrupt(format!("not written: {:?}", outcome.problems)))
}

/// Reads back what [`write`] wrote.
fn found<T>(record: Option<T>, upserted: Upserted) -> StoreResult<(T, Upserted)> {
    record
        .map(|r| (r, upserted))
        .ok_or_else(|| StoreError::Corrupt("written, then not found".into()))
}

#[async_trait::async_trait]
pub trait Upserts: Store {
    async fn upsert_customer(
        &self,
        org: &str,
        external_id: &str,
        input: &CustomerInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Customer, Upserted)> {
        let record = BatchRecord::Customer(input.clone());
        let (id, upserted) = write(self, org, external_id, record, now).await?;
        found(self.find_customer(org, &id).await?, upserted)
    }

    async fn upsert_invoice(
        &self,
        org: &str,
        external_id: &str,
        customer_id: &str,
        input: &InvoiceInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Invoice, Upserted)> {
        let mut input = input.clone();
        input.customer_id = customer_id.into();
        let (id, upserted) =
            write(self, org, external_id, BatchRecord::Invoice(input), now).await?;
        found(self.find_invoice(org, &id).await?, upserted)
    }

    async fn upsert_credit_note(
        &self,
        org: &str,
        external_id: &str,
        customer_id: &str,
        invoice_id: Option<&str>,
        input: &CreditNoteInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(CreditNote, Upserted)> {
        let mut input = input.clone();
        input.customer_id = customer_id.into();
        input.invoice_id = invoice_id.map(Into::into);
        let record = BatchRecord::CreditNote(input);
        let (id, upserted) = write(self, org, external_id, record, now).await?;
        found(self.find_credit_note(org, &id).await?, upserted)
    }

    async fn upsert_payment(
        &self,
        org: &str,
        external_id: &str,
        customer_id: &str,
        invoice_id: Option<&str>,
        input: &PaymentInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Payment, Upserted)> {
        let mut input = input.clone();
        input.customer_id = customer_id.into();
        input.invoice_id = invoice_id.map(Into::into);
        let (id, upserted) =
            write(self, org, external_id, BatchRecord::Payment(input), now).await?;
        found(self.find_payment(org, &id).await?, upserted)
    }

    async fn upsert_entitlement(
        &self,
        org: &str,
        external_id: &str,
        customer_id: &str,
        input: &EntitlementInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Entitlement, Upserted)> {
        let mut input = input.clone();
        input.customer_id = customer_id.into();
        let record = BatchRecord::Entitlement(input);
        let (id, upserted) = write(self, org, external_id, record, now).await?;
        found(self.find_entitlement(org, &id).await?, upserted)
    }

    async fn upsert_subscription(
        &self,
        org: &str,
        external_id: &str,
        customer_id: &str,
        input: &SubscriptionInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(Subscription, Upserted)> {
        let mut input = input.clone();
        input.customer_id = customer_id.into();
        let record = BatchRecord::Subscription(input);
        let (id, upserted) = write(self, org, external_id, record, now).await?;
        found(self.find_subscription(org, &id).await?, upserted)
    }

    async fn upsert_payment_method(
        &self,
        org: &str,
        external_id: &str,
        customer_id: &str,
        input: &PaymentMethodInput,
        now: DateTime<Utc>,
    ) -> StoreResult<(PaymentMethod, Upserted)> {
        let mut input = input.clone();
        input.customer_id = customer_id.into();
        let record = BatchRecord::PaymentMethod(input);
        let (id, upserted) = write(self, org, external_id, record, now).await?;
        found(self.find_payment_method(org, &id).await?, upserted)
    }
}

impl<S: Store + ?Sized> Upserts for S {}
