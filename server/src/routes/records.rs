//! The vendor's billing records: `PUT`, `GET`, list and (where it makes sense) `DELETE`
//! for each kind, all written once over the [`Kind`] trait.

use app::api::portal::Page;
use app::api::records::{
    CreditNote, CreditNoteInput, Customer, CustomerInput, Entitlement, EntitlementInput, Invoice,
    InvoiceInput, Payment, PaymentInput, PaymentMethod, PaymentMethodInput, Subscription,
    SubscriptionInput,
};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::paging;
use crate::auth::VendorKey;
use crate::error::{removed, ApiError};
use crate::extract::{media_type, read_body, ApiJson, ApiQuery};
use crate::state::AppState;
use crate::store::{
    BatchItem, BatchOutcome, BatchRecord, Organisation, RecordKind, Store, StoreResult, Upserted,
    VendorPage,
};
use crate::validate::{self, Check, Validate};
use app::api::settings::OrganisationSettings;

/// One kind of record, as the vendor API sees it.
#[async_trait::async_trait]
pub trait Kind: Send + Sync + 'static {
    type Input: DeserializeOwned + Validate + utoipa::ToSchema + Clone + Send + Sync;
    type Record: Serialize + utoipa::ToSchema + Send;
    /// The path segment and import `type`: `customers`, `invoices`, …
    const PLURAL: &'static str;
    /// The import line's `type`: `customer`, `invoice`, …
    const SINGULAR: &'static str;
    const KIND: RecordKind;
    /// Whether `DELETE` is offered. Financial records (invoices, payments, credit notes)
    /// and subscriptions are voided or cancelled through their status instead.
    const DELETABLE: bool;

    /// The input as a record of a write batch.
    fn batch(input: Self::Input) -> BatchRecord;

    async fn find(
        store: &dyn Store,
        organisation_id: &str,
        reference: &str,
    ) -> StoreResult<Option<Self::Record>>;

    async fn page(
        store: &dyn Store,
        organisation_id: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Self::Record>>;

    fn ids(record: &Self::Record) -> (&str, &str);
}

pub struct Customers;
pub struct Invoices;
pub struct CreditNotes;
pub struct Payments;
pub struct Entitlements;
pub struct Subscriptions;
pub struct PaymentMethods;

#[async_trait::async_trait]
impl Kind for Customers {
    type Input = CustomerInput;
    type Record = Customer;
    const PLURAL: &'static str = "customers";
    const SINGULAR: &'static str = "customer";
    const KIND: RecordKind = RecordKind::Customer;
    const DELETABLE: bool = true;

    fn batch(input: CustomerInput) -> BatchRecord {
        BatchRecord::Customer(input)
    }

    async fn find(store: &dyn Store, org: &str, reference: &str) -> StoreResult<Option<Customer>> {
        store.find_customer(org, reference).await
    }

    async fn page(
        store: &dyn Store,
        org: &str,
        page: VendorPage<'_>,
    ) -> StoreResult<Vec<Customer>> {
        store.list_customers(org, page.after, page.limit).await
    }

    fn ids(r: &Customer) -> (&str, &str) {
        (&r.id, &r.external_id)
    }
}

/// A kind of record that belongs to a customer.
macro_rules! owned_kind {
    ($kind:ident, $input:ty, $record:ty, $plural:literal, $singular:literal, $rk:ident,
     deletable: $deletable:literal, find: $find:ident, page: $page:ident) => {
        #[async_trait::async_trait]
        impl Kind for $kind {
            type Input = $input;
            type Record = $record;
            const PLURAL: &'static str = $plural;
            const SINGULAR: &'static str = $singular;
            const KIND: RecordKind = RecordKind::$rk;
            const DELETABLE: bool = $deletable;

            fn batch(input: $input) -> BatchRecord {
                BatchRecord::$rk(input)
            }

            async fn find(
                store: &dyn Store,
                org: &str,
                reference: &str,
            ) -> StoreResult<Option<$record>> {
                store.$find(org, reference).await
            }

            async fn page(
                store: &dyn Store,
                org: &str,
                page: VendorPage<'_>,
            ) -> StoreResult<Vec<$record>> {
                store.$page(org, page).await
            }

            fn ids(r: &$record) -> (&str, &str) {
                (&r.id, &r.external_id)
            }
        }
    };
}

owned_kind!(Invoices, InvoiceInput, Invoice, "invoices", "invoice", Invoice,
    deletable: false, find: find_invoice, page: page_invoices);
owned_kind!(CreditNotes, CreditNoteInput, CreditNote, "credit_notes", "credit_note",
    CreditNote, deletable: false, find: find_credit_note, page: page_credit_notes);
owned_kind!(Payments, PaymentInput, Payment, "payments", "payment", Payment,
    deletable: false, find: find_payment, page: page_payments);
owned_kind!(Entitlements, EntitlementInput, Entitlement, "entitlements", "entitlement",
    Entitlement, deletable: true, find: find_entitlement, page: page_entitlements);
owned_kind!(Subscriptions, SubscriptionInput, Subscription, "subscriptions", "subscription",
    Subscription, deletable: false, find: find_subscription, page: page_subscriptions);
owned_kind!(PaymentMethods, PaymentMethodInput, PaymentMethod, "payment_methods",
    "payment_method", PaymentMethod, deletable: true, find: find_payment_method,
    page: page_payment_methods);

/// Something done once for each record kind.
pub trait KindVisitor {
    fn visit<K: Kind>(&mut self);
}

/// Every record kind of the vendor API, in the order the API documents them. This is the
/// one list of kinds: the router, the import's dispatch and its error message, and the
/// OpenAPI document all walk it.
pub fn each_kind(visitor: &mut impl KindVisitor) {
    visitor.visit::<Customers>();
    visitor.visit::<Invoices>();
    visitor.visit::<CreditNotes>();
    visitor.visit::<Payments>();
    visitor.visit::<Entitlements>();
    visitor.visit::<Subscriptions>();
    visitor.visit::<PaymentMethods>();
}

/// The import `type` of every kind, in order.
pub fn singular_names() -> Vec<&'static str> {
    struct Names(Vec<&'static str>);
    impl KindVisitor for Names {
        fn visit<K: Kind>(&mut self) {
            self.0.push(K::SINGULAR);
        }
    }
    let mut names = Names(Vec::new());
    each_kind(&mut names);
    names.0
}

/// Checks a record's vendor id and field rules, for a write batch of an organisation
/// with these `settings`.
pub fn checked<K: Kind>(
    external_id: &str,
    mut input: K::Input,
    settings: &OrganisationSettings,
) -> (BatchItem, Check) {
    let mut check = Check::default();
    validate::external_id(&mut check, "id", external_id);
    input.validate(&mut check);
    input.validate_for(settings, &mut check);
    input.normalise();
    let item = BatchItem {
        external_id: external_id.to_owned(),
        record: K::batch(input),
        valid: check.is_ok(),
    };
    (item, check)
}

/// Adds the store's verdict on a batch item to its field check: the item's problems, or
/// what was written.
pub fn verdict(mut check: Check, outcome: BatchOutcome) -> Result<(String, Upserted), ApiError> {
    for (field, reason) in outcome.problems {
        check.fail(field, reason);
    }
    check.finish()?;
    outcome
        .written
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a valid record was not written")))
}

/// Validates and writes one record: field rules, then references.
pub async fn write_one<K: Kind>(
    store: &dyn Store,
    organisation: &Organisation,
    external_id: &str,
    input: &K::Input,
    now: DateTime<Utc>,
) -> Result<(K::Record, Upserted), ApiError> {
    let organisation_id = organisation.id.as_str();
    let (item, check) = checked::<K>(external_id, input.clone(), &organisation.settings);
    let outcome = store
        .write_batch(organisation_id, std::slice::from_ref(&item), now)
        .await?
        .pop()
        .unwrap_or_default();
    let (id, upserted) = verdict(check, outcome)?;
    let record = K::find(store, organisation_id, &id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("{} {id} vanished", K::SINGULAR)))?;
    Ok((record, upserted))
}

async fn put_record<K: Kind>(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<K::Input>,
) -> Result<(StatusCode, Json<K::Record>), ApiError> {
    let (record, outcome) = write_one::<K>(
        state.store.as_ref(),
        &vendor.organisation,
        &id,
        &input,
        state.clock.now(),
    )
    .await?;
    let status = match outcome {
        Upserted::Created => StatusCode::CREATED,
        Upserted::Updated => StatusCode::OK,
    };
    Ok((status, Json(record)))
}

async fn get_record<K: Kind>(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<Json<K::Record>, ApiError> {
    K::find(state.store.as_ref(), &vendor.organisation.id, &id)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound)
}

async fn delete_record<K: Kind>(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let org = &vendor.organisation.id;
    let record = K::find(state.store.as_ref(), org, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (portico_id, _) = K::ids(&record);
    removed(state.store.delete_record(K::KIND, org, portico_id).await?)
}

/// `?customer_id=&limit=&cursor=` of a list.
#[derive(Deserialize)]
pub struct ListQuery {
    customer_id: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

async fn list_records<K: Kind>(
    State(state): State<AppState>,
    vendor: VendorKey,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<K::Record>>, ApiError> {
    let org = &vendor.organisation.id;
    let limit = paging::limit(query.limit, 50, 200)?;
    let customer = match query.customer_id.as_deref() {
        None => None,
        Some(reference) => Some(
            state
                .store
                .find_customer(org, reference)
                .await?
                .ok_or_else(|| {
                    ApiError::field(
                        "customer_id",
                        "does not name a customer of this organisation",
                    )
                })?,
        ),
    };
    let rows = K::page(
        state.store.as_ref(),
        org,
        VendorPage {
            customer_id: customer.as_ref().map(|c| c.id.as_str()),
            after: query.cursor.as_deref(),
            limit: limit + 1,
        },
    )
    .await?;
    Ok(Json(paging::page(rows, limit, |r| K::ids(r).1.to_owned())))
}

/// The routes of one kind.
fn kind_routes<K: Kind>(router: Router<AppState>) -> Router<AppState> {
    let mut one: MethodRouter<AppState> = axum::routing::put(put_record::<K>).get(get_record::<K>);
    if K::DELETABLE {
        one = one.delete(delete_record::<K>);
    }
    router
        .route(&format!("/v1/{}", K::PLURAL), get(list_records::<K>))
        .route(&format!("/v1/{}/{{id}}", K::PLURAL), one)
}

/// The largest invoice PDF accepted.
pub const MAX_PDF_BYTES: usize = 10 * 1024 * 1024;

/// `PUT /v1/invoices/{id}/pdf`: the invoice's PDF, as `application/pdf`.
async fn put_invoice_pdf(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, ApiError> {
    if media_type(&headers) != "application/pdf" {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = read_body(body)?;
    let invoice = state
        .store
        .find_invoice(&vendor.organisation.id, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !body.starts_with(b"%PDF-") {
        return Err(ApiError::field(
            "body",
            "is not a PDF document (it must start with %PDF-)",
        ));
    }
    state
        .store
        .put_invoice_pdf(&invoice.id, &body, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/invoices/{id}/pdf`: the uploaded PDF.
async fn get_invoice_pdf(
    State(state): State<AppState>,
    vendor: VendorKey,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let invoice = state
        .store
        .find_invoice(&vendor.organisation.id, &id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let pdf = state
        .store
        .get_invoice_pdf(&invoice.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(pdf_response(pdf, &invoice.number))
}

/// A PDF as a download named after the invoice number.
pub fn pdf_response(pdf: Vec<u8>, number: &str) -> Response {
    let name = app::api::routes::pdf_file_name(number);
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        pdf,
    )
        .into_response()
}

/// Every record route of the vendor API.
pub fn router() -> Router<AppState> {
    let router = Router::new().route(
        "/v1/invoices/{id}/pdf",
        axum::routing::put(put_invoice_pdf)
            .get(get_invoice_pdf)
            .layer(DefaultBodyLimit::max(MAX_PDF_BYTES)),
    );
    struct Routes(Router<AppState>);
    impl KindVisitor for Routes {
        fn visit<K: Kind>(&mut self) {
            self.0 = kind_routes::<K>(std::mem::take(&mut self.0));
        }
    }
    let mut routes = Routes(router);
    each_kind(&mut routes);
    routes.0
}
