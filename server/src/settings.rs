//! Changing an organisation's settings: the vendor API's `PATCH /v1/settings` and
//! `portico org set` apply the same patch with the same rules.

use app::api::session::LOCALES;
use app::api::settings::{OrganisationSettings, SettingsPatch, PROFILE_FIELDS, SECTIONS};
use app::api::FieldError;

use crate::orgs::normalise_origin;
use crate::validate::Check;

/// WCAG 2 AA for normal text.
const AA_CONTRAST: f64 = 4.5;

/// `#rrggbb` or `#rgb` as red, green and blue.
pub fn parse_hex(text: &str) -> Option<[u8; 3]> {
    let hex = text.strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |s: &str| u8::from_str_radix(s, 16).ok();
    match hex.len() {
        6 => Some([
            channel(&hex[0..2])?,
            channel(&hex[2..4])?,
            channel(&hex[4..6])?,
        ]),
        3 => {
            let d = |i: usize| channel(&hex[i..=i].repeat(2));
            Some([d(0)?, d(1)?, d(2)?])
        }
        _ => None,
    }
}

fn relative_luminance([r, g, b]: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// The WCAG contrast ratio of two colours, from 1 to 21.
pub fn contrast_ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

/// A brand colour: hex, and dark enough that white text on it meets WCAG AA. Returns the
/// colour as `#rrggbb` in lower case.
fn brand_color(check: &mut Check, field: &str, text: &str) -> Option<String> {
    let Some(rgb) = parse_hex(text) else {
        check.fail(field, "must be a hex colour such as #4338ca");
        return None;
    };
    let ratio = contrast_ratio(rgb, [255, 255, 255]);
    if ratio < AA_CONTRAST {
        check.fail(
            field,
            format!(
                "white text on it has a contrast of {ratio:.2}:1; WCAG AA needs {AA_CONTRAST}:1, \
                 so choose a darker colour"
            ),
        );
        return None;
    }
    Some(format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
}

/// A subset of `allowed`, without repeats, kept in `allowed`'s order.
fn subset(check: &mut Check, field: &str, values: &[String], allowed: &[&str]) -> Vec<String> {
    for value in values {
        if !allowed.contains(&value.as_str()) {
            check.fail(
                field,
                format!("{value:?} is not one of: {}", allowed.join(", ")),
            );
        }
    }
    allowed
        .iter()
        .filter(|a| values.iter().any(|v| v == *a))
        .map(|a| (*a).to_owned())
        .collect()
}

/// The most origins of each kind an organisation lists.
pub const ORIGINS_MAX: usize = 20;
/// The shortest and longest link lifetime and idle timeout, in seconds.
pub const SECONDS_MIN: i64 = 60;
pub const SECONDS_MAX: i64 = 7 * 86_400;

fn origins(check: &mut Check, field: &str, values: &[String]) -> Vec<String> {
    if values.len() > ORIGINS_MAX {
        check.fail(field, "must list at most 20 origins");
    }
    let mut out: Vec<String> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if value.len() > crate::contract::URL_MAX || !crate::contract::ORIGIN.is_match(value) {
            check.fail(
                &format!("{field}[{i}]"),
                format!("{value:?} must be an origin such as https://billing.example (scheme, host and port)"),
            );
            continue;
        }
        match normalise_origin(value) {
            Ok(origin) if !out.contains(&origin) => out.push(origin),
            Ok(_) => {}
            Err(why) => check.fail(&format!("{field}[{i}]"), why),
        }
    }
    out
}

/// The most cancellation reasons an organisation lists, and the longest of each.
pub const REASONS_MAX: usize = 12;
pub const REASON_MAX: usize = 100;
/// The longest retention message.
pub const RETENTION_MAX: usize = 1000;

/// The vendor's page for adding a payment method, for one customer: `{customer_id}` and
/// `{return_url}` in the template filled in, percent-encoded.
pub fn setup_url(template: &str, customer_external_id: &str, return_url: Option<&str>) -> String {
    use app::api::routes::encode;
    template
        .replace("{customer_id}", &encode(customer_external_id))
        .replace("{return_url}", &encode(return_url.unwrap_or_default()))
}

/// Applies a patch to a name and settings, or says every field that is wrong (and then
/// changes nothing).
pub fn apply(
    name: &mut String,
    settings: &mut OrganisationSettings,
    patch: SettingsPatch,
) -> Result<(), Vec<FieldError>> {
    let mut check = Check::default();
    let mut next = settings.clone();
    let mut next_name = name.clone();

    if let Some(value) = patch.name {
        check.text("name", &value, 200);
        next_name = value.trim().to_owned();
    }
    if let Some(values) = patch.return_origins {
        next.return_origins = origins(&mut check, "return_origins", &values);
    }
    if let Some(values) = patch.embed_origins {
        next.embed_origins = origins(&mut check, "embed_origins", &values);
    }
    if let Some(values) = patch.payment_origins {
        next.payment_origins = origins(&mut check, "payment_origins", &values);
        // Card checks and payment pages are https only.
        for (i, origin) in next.payment_origins.iter().enumerate() {
            if !origin.starts_with("https://") {
                check.fail(&format!("payment_origins[{i}]"), "must be an https origin");
            }
        }
    }
    if let Some(locale) = patch.default_locale {
        if !LOCALES.contains(&locale.as_str()) {
            check.fail(
                "default_locale",
                format!("must be one of: {}", LOCALES.join(", ")),
            );
        }
        next.default_locale = locale;
    }
    for (field, value, target) in [
        (
            "link_lifetime_secs",
            patch.link_lifetime_secs,
            &mut next.link_lifetime_secs,
        ),
        (
            "idle_timeout_secs",
            patch.idle_timeout_secs,
            &mut next.idle_timeout_secs,
        ),
    ] {
        if let Some(value) = value {
            if !(SECONDS_MIN..=SECONDS_MAX).contains(&value) {
                check.fail(field, "must be between 60 and 604800 seconds");
            }
            *target = value;
        }
    }
    if let Some(value) = patch.primary_color {
        if let Some(color) = brand_color(&mut check, "primary_color", &value) {
            next.primary_color = color;
        }
    }
    if let Some(value) = patch.accent_color {
        if let Some(color) = brand_color(&mut check, "accent_color", &value) {
            next.accent_color = color;
        }
    }
    if let Some(theme) = patch.theme {
        next.theme = theme;
    }
    if let Some(email) = patch.support_email {
        if let Some(email) = &email {
            check.rule("support_email", app::api::rules::email(email), 254);
        }
        next.support_email = email;
    }
    for (field, value, target) in [
        ("support_url", patch.support_url, &mut next.support_url),
        ("terms_url", patch.terms_url, &mut next.terms_url),
        ("privacy_url", patch.privacy_url, &mut next.privacy_url),
    ] {
        if let Some(value) = value {
            check.url(field, &value);
            *target = value;
        }
    }
    if let Some(values) = patch.sections {
        let chosen = subset(&mut check, "sections", &values, SECTIONS);
        if values.is_empty() {
            check.fail("sections", "must show at least one section");
        }
        next.sections = chosen;
    }
    if let Some(values) = patch.editable_profile_fields {
        next.editable_profile_fields = subset(
            &mut check,
            "editable_profile_fields",
            &values,
            PROFILE_FIELDS,
        );
    }
    if let Some(value) = patch.allow_subscription_cancel {
        next.allow_subscription_cancel = value;
    }
    if let Some(value) = patch.allow_default_payment_method_change {
        next.allow_default_payment_method_change = value;
    }
    if let Some(value) = patch.allow_invoice_payment {
        next.allow_invoice_payment = value;
    }
    if let Some(value) = patch.allow_payment_method_removal {
        next.allow_payment_method_removal = value;
    }
    if let Some(value) = patch.allow_subscription_pause {
        next.allow_subscription_pause = value;
    }
    if let Some(value) = patch.allow_plan_change {
        next.allow_plan_change = value;
    }
    if let Some(reasons) = patch.cancellation_reasons {
        if reasons.len() > REASONS_MAX {
            check.fail("cancellation_reasons", "must list at most 12 reasons");
        }
        let mut kept: Vec<String> = Vec::new();
        for (i, reason) in reasons.iter().enumerate() {
            let field = format!("cancellation_reasons[{i}]");
            check.text(&field, reason, REASON_MAX);
            let reason = reason.trim().to_owned();
            if reason.eq_ignore_ascii_case(app::api::portal::OTHER_REASON) {
                check.fail(&field, "\"other\" is always offered and cannot be listed");
            } else if !kept.contains(&reason) {
                kept.push(reason);
            }
        }
        next.cancellation_reasons = kept;
    }
    if let Some(message) = patch.retention_message {
        if let Some(text) = &message {
            check.text("retention_message", text, RETENTION_MAX);
        }
        next.retention_message = message.map(|m| m.trim().to_owned());
    }
    let setup_changed = patch.payment_method_setup_url.is_some();
    if let Some(value) = patch.payment_method_setup_url {
        next.payment_method_setup_url = value;
    }
    // Checked whenever it or the payment origins change: either can put it out of bounds.
    if let (Some(template), true) = (
        &next.payment_method_setup_url,
        setup_changed || next.payment_origins != settings.payment_origins,
    ) {
        let field = "payment_method_setup_url";
        if !crate::contract::SETUP_URL.is_match(template) {
            check.fail(
                field,
                "must be an absolute https URL of at most 2048 characters, in which {customer_id} and {return_url} may stand",
            );
        } else {
            let example = setup_url(template, "cus_1", Some("https://vendor.example/account"));
            check.payment_url(field, &Some(example), &next.payment_origins);
        }
    }

    if !check.is_ok() {
        return Err(check.into_problems());
    }
    *name = next_name;
    *settings = next;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast_ratio([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
        assert!((contrast_ratio([0x76, 0x76, 0x76], [255, 255, 255]) - 4.54).abs() < 0.01);
        assert_eq!(parse_hex("#FFF"), Some([255, 255, 255]));
        assert_eq!(parse_hex("#4338ca"), Some([0x43, 0x38, 0xca]));
        for bad in ["4338ca", "#12345", "#ggg", "red", "#4338ca0"] {
            assert_eq!(parse_hex(bad), None, "{bad}");
        }
    }

    fn fields(patch: SettingsPatch) -> Vec<String> {
        let mut name = "Acme".to_owned();
        let mut settings = OrganisationSettings::default();
        let before = settings.clone();
        let result = apply(&mut name, &mut settings, patch);
        let problems = result.err().unwrap_or_default();
        if !problems.is_empty() {
            assert_eq!(settings, before, "a refused patch changes nothing");
        }
        problems.into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn light_brand_colours_are_refused_for_contrast() {
        let patch = SettingsPatch {
            primary_color: Some("#ffd700".into()),
            accent_color: Some("#0E7490".into()),
            ..SettingsPatch::default()
        };
        assert_eq!(fields(patch), ["primary_color"]);
    }

    #[test]
    fn every_bad_setting_is_named() {
        let patch = SettingsPatch {
            name: Some(" ".into()),
            return_origins: Some(vec![
                "https://ok.example".into(),
                "javascript:alert(1)".into(),
            ]),
            default_locale: Some("da".into()),
            idle_timeout_secs: Some(30),
            primary_color: Some("blue".into()),
            support_email: Some(Some("nope".into())),
            terms_url: Some(Some("ftp://x.example".into())),
            sections: Some(vec!["invoices".into(), "settings".into()]),
            ..SettingsPatch::default()
        };
        assert_eq!(
            fields(patch),
            [
                "name",
                "return_origins[1]",
                "default_locale",
                "idle_timeout_secs",
                "primary_color",
                "support_email",
                "terms_url",
                "sections"
            ]
        );
    }

    #[test]
    fn a_good_patch_changes_only_what_it_names() {
        let mut name = "Acme".to_owned();
        let mut settings = OrganisationSettings::default();
        let patch = SettingsPatch {
            embed_origins: Some(vec!["https://App.Vendor.example/".into()]),
            primary_color: Some("#0B5".into()),
            sections: Some(vec!["profile".into(), "invoices".into()]),
            support_url: Some(Some("https://help.vendor.example".into())),
            ..SettingsPatch::default()
        };
        let outcome = apply(&mut name, &mut settings, patch);
        assert!(
            outcome.is_err(),
            "#0B5 (#00bb55) is too light for white text"
        );

        let patch = SettingsPatch {
            embed_origins: Some(vec!["https://App.Vendor.example/".into()]),
            primary_color: Some("#0B6E4F".into()),
            sections: Some(vec!["profile".into(), "invoices".into()]),
            support_url: Some(Some("https://help.vendor.example".into())),
            ..SettingsPatch::default()
        };
        apply(&mut name, &mut settings, patch).unwrap();
        assert_eq!(name, "Acme");
        assert_eq!(settings.embed_origins, ["https://app.vendor.example"]);
        assert_eq!(settings.primary_color, "#0b6e4f");
        assert_eq!(
            settings.sections,
            ["invoices", "profile"],
            "kept in the portal's order"
        );
        assert_eq!(
            settings.support_url.as_deref(),
            Some("https://help.vendor.example")
        );
        assert_eq!(settings.accent_color, "#0e7490", "untouched");
    }
}
