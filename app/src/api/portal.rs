//! The portal API the customer's browser calls with its session token.

use serde::{Deserialize, Serialize};

use crate::api::records::{Entitlement, Invoice, Payment, PaymentMethod, Subscription};

/// One page of a list, newest first, and where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `?cursor=` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/portal/invoices`.
pub type InvoicePage = Page<Invoice>;

/// `GET /api/v1/portal/payments`.
pub type PaymentPage = Page<Payment>;

/// A whole list, for records a customer has few of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct List<T> {
    pub data: Vec<T>,
}

pub type EntitlementList = List<Entitlement>;
pub type SubscriptionList = List<Subscription>;
pub type PaymentMethodList = List<PaymentMethod>;
