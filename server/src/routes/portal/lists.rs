//! The tabs that show a customer's whole list at once: entitlements, subscriptions and
//! payment methods, and the payments tab's credit balances, through one handler.

use app::api::portal::List;
use app::api::records::{CreditBalance, Entitlement, PaymentMethod, Subscription};
use app::api::session::Tab;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde::Serialize;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{Store, StoreResult};

use super::{cached_list, require_section};

/// A record kind that a tab shows whole: all of the customer's, in the store's order.
#[async_trait::async_trait]
pub(super) trait WholeList: Serialize + Sized + Send + 'static {
    /// The tab that shows the list.
    const TAB: Tab;
    async fn load(
        store: &dyn Store,
        organisation_id: &str,
        customer_id: &str,
    ) -> StoreResult<Vec<Self>>;
}

/// `GET /api/v1/portal/entitlements`, `…/subscriptions` and `…/payment_methods`.
pub(super) async fn list_all<T: WholeList>(
    State(state): State<AppState>,
    portal: PortalSession,
    request: Uri,
) -> Result<Response, ApiError> {
    require_section(&state, &portal, T::TAB).await?;
    let s = &portal.session;
    cached_list(&state, &portal, &request, async {
        let data = T::load(state.store.as_ref(), &s.organisation_id, &s.customer_id).await?;
        Ok(List { data })
    })
    .await
}

#[async_trait::async_trait]
impl WholeList for Entitlement {
    const TAB: Tab = Tab::Entitlements;
    async fn load(store: &dyn Store, organisation: &str, customer: &str) -> StoreResult<Vec<Self>> {
        store.list_entitlements(organisation, customer).await
    }
}

#[async_trait::async_trait]
impl WholeList for Subscription {
    const TAB: Tab = Tab::Subscriptions;
    async fn load(store: &dyn Store, organisation: &str, customer: &str) -> StoreResult<Vec<Self>> {
        store.list_subscriptions(organisation, customer).await
    }
}

/// The default first.
#[async_trait::async_trait]
impl WholeList for PaymentMethod {
    const TAB: Tab = Tab::PaymentMethods;
    async fn load(store: &dyn Store, organisation: &str, customer: &str) -> StoreResult<Vec<Self>> {
        store.list_payment_methods(organisation, customer).await
    }
}

/// By currency code; shown on the payments tab.
#[async_trait::async_trait]
impl WholeList for CreditBalance {
    const TAB: Tab = Tab::Payments;
    async fn load(store: &dyn Store, organisation: &str, customer: &str) -> StoreResult<Vec<Self>> {
        store.credit_balances(organisation, customer).await
    }
}
