//! The payments tab: payments and refunds, newest first.

use app::api::portal::PaymentPage;
use app::api::session::Tab;
use axum::extract::State;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::routes::paging;
use crate::state::AppState;

use super::{format_cursor, parse_cursor, require_section, ListQuery};

/// `GET /api/v1/portal/payments?cursor=&limit=`: payments and refunds, newest first.
pub(super) async fn list_payments(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiQuery(query): ApiQuery<ListQuery>,
    request: axum::http::Uri,
) -> Result<axum::response::Response, ApiError> {
    require_section(&state, &portal, Tab::Payments).await?;
    let limit = paging::limit(query.limit, 25, 100)?;
    let cursor = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let s = &portal.session;
    super::cached_list(&state, &portal, &request, async {
        let rows = state
            .store
            .list_payments(
                &s.organisation_id,
                &s.customer_id,
                cursor.as_ref(),
                limit + 1,
            )
            .await?;
        Ok::<PaymentPage, ApiError>(paging::page(rows, limit, |p| {
            format_cursor(p.paid_at, &p.id)
        }))
    })
    .await
}
