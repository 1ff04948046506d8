//! The portal API the customer's browser calls with its session token.

use serde::{Deserialize, Serialize};

use crate::api::records::Invoice;

/// One page of a list, newest first, and where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    /// Pass as `?cursor=` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/portal/invoices`.
pub type InvoicePage = Page<Invoice>;
