//! The profile tab: the customer's own details, and the changes they may make.

use app::api::portal::{Profile, ProfilePatch};
use app::api::records::CustomerInput;
use app::api::rules;
use app::api::session::Tab;
use app::api::settings::PROFILE_FIELDS;
use axum::extract::State;
use axum::Json;

use crate::auth::PortalSession;
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::store::Organisation;
use crate::validate::{max, Check, Validate};

use super::{require_section, session_customer};

/// `GET /api/v1/portal/profile`.
pub(super) async fn get_profile(
    State(state): State<AppState>,
    portal: PortalSession,
) -> Result<Json<Profile>, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Profile).await?;
    let customer = session_customer(&state, &portal).await?;
    Ok(Json(profile_of(customer, &organisation)))
}

pub(super) fn profile_of(
    customer: app::api::records::Customer,
    organisation: &Organisation,
) -> Profile {
    Profile {
        name: customer.name,
        email: customer.email,
        phone: customer.phone,
        tax_ids: customer.tax_ids,
        address: customer.address,
        editable: PROFILE_FIELDS
            .iter()
            .filter(|f| {
                organisation
                    .settings
                    .editable_profile_fields
                    .iter()
                    .any(|e| e == *f)
            })
            .map(|f| (*f).to_owned())
            .collect(),
    }
}

/// `PATCH /api/v1/portal/profile`: the customer changes their own details. Fields the
/// organisation keeps read-only are refused by name; the change is recorded as an event.
pub(super) async fn update_profile(
    State(state): State<AppState>,
    portal: PortalSession,
    ApiJson(patch): ApiJson<ProfilePatch>,
) -> Result<Json<Profile>, ApiError> {
    let organisation = require_section(&state, &portal, Tab::Profile).await?;
    let s = &portal.session;
    let customer = session_customer(&state, &portal).await?;
    let editable = &organisation.settings.editable_profile_fields;
    let sent: Vec<&str> = [
        ("name", patch.name.is_some()),
        ("email", patch.email.is_some()),
        ("phone", patch.phone.is_some()),
        ("tax_ids", patch.tax_ids.is_some()),
        ("address", patch.address.is_some()),
    ]
    .into_iter()
    .filter(|(_, present)| *present)
    .map(|(field, _)| field)
    .collect();
    let mut check = Check::default();
    for field in &sent {
        if !editable.iter().any(|e| e == field) {
            check.fail(field, "cannot be changed here; ask the vendor to change it");
        }
    }
    check.finish()?;
    // Lengths count what was sent, white space around it included, as the document says.
    let mut check = Check::default();
    let no_address = app::api::records::Address::default();
    let address = patch.address.as_ref().unwrap_or(&no_address);
    for (field, value, max) in [
        ("name", &patch.name, max::NAME),
        ("email", &patch.email, crate::contract::EMAIL_MAX),
        ("phone", &patch.phone, max::PHONE),
        ("address.line1", &address.line1, max::ADDRESS_LINE),
        ("address.line2", &address.line2, max::ADDRESS_LINE),
        (
            "address.postal_code",
            &address.postal_code,
            max::ADDRESS_LINE,
        ),
        ("address.city", &address.city, max::ADDRESS_LINE),
        ("address.region", &address.region, max::ADDRESS_LINE),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            check.rule(field, Err(rules::Problem::TooLong), max);
        }
    }
    check.finish()?;

    // An empty string clears an optional field; text is stored trimmed.
    let optional = |value: Option<String>, current: Option<String>| match value {
        Some(v) if v.trim().is_empty() => None,
        Some(v) => Some(v.trim().to_owned()),
        None => current,
    };
    let address = match patch.address {
        Some(a) => app::api::records::Address {
            line1: optional(a.line1, None),
            line2: optional(a.line2, None),
            postal_code: optional(a.postal_code, None),
            city: optional(a.city, None),
            region: optional(a.region, None),
            country: optional(a.country, None).map(|c| c.to_ascii_uppercase()),
        },
        None => customer.address.clone(),
    };
    let mut input = CustomerInput {
        name: patch
            .name
            .map(|n| n.trim().to_owned())
            .unwrap_or_else(|| customer.name.clone()),
        email: optional(patch.email, customer.email.clone()),
        phone: optional(patch.phone, customer.phone.clone()),
        tax_ids: patch.tax_ids.unwrap_or_else(|| customer.tax_ids.clone()),
        address,
        locale: customer.locale.clone(),
        balance_payment_url: customer.balance_payment_url.clone(),
    };
    let mut check = Check::default();
    input.validate(&mut check);
    // The vendor may store any phone text; a customer types a number.
    if let Some(phone) = &input.phone {
        check.rule("phone", rules::phone(phone), 40);
    }
    check.finish()?;
    input.normalise();

    let changed: Vec<String> = [
        ("name", input.name != customer.name),
        ("email", input.email != customer.email),
        ("phone", input.phone != customer.phone),
        ("tax_ids", input.tax_ids != customer.tax_ids),
        ("address", input.address != customer.address),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(field, _)| field.to_owned())
    .collect();
    if changed.is_empty() {
        return Ok(Json(profile_of(customer, &organisation)));
    }
    let updated = state
        .store
        .update_profile(
            &s.organisation_id,
            &s.customer_id,
            &input,
            &changed,
            state.clock.now(),
        )
        .await?
        .ok_or(ApiError::SESSION_EXPIRED)?;
    Ok(Json(profile_of(updated, &organisation)))
}
