//! The customer's own details: every field shown, the ones the organisation allows
//! editable, errors shown beside the field they concern.

use leptos::prelude::*;

use super::load::{skeleton, Loaded};
use super::tax_ids::{self, TaxIds, TaxRows};
use super::PortalContext;
use crate::api::portal::{Profile, ProfilePatch};
use crate::api::records::Address;
use crate::api::rules::{self, Problem as FieldProblem};
use crate::client;
use crate::i18n::{fill, use_i18n, Label, Messages};
use crate::page_answers;

/// A form field: its API name, label, input type and autocomplete token.
struct Field {
    name: &'static str,
    /// The profile setting that makes it editable (`address` covers every address part).
    group: &'static str,
    label: Label,
    kind: &'static str,
    autocomplete: &'static str,
}

const FIELDS: [Field; 9] = [
    Field {
        name: "name",
        group: "name",
        label: |t| t.field_name,
        kind: "text",
        autocomplete: "name",
    },
    Field {
        name: "email",
        group: "email",
        label: |t| t.field_email,
        kind: "email",
        autocomplete: "email",
    },
    Field {
        name: "phone",
        group: "phone",
        label: |t| t.field_phone,
        kind: "tel",
        autocomplete: "tel",
    },
    Field {
        name: "address.line1",
        group: "address",
        label: |t| t.field_line1,
        kind: "text",
        autocomplete: "address-line1",
    },
    Field {
        name: "address.line2",
        group: "address",
        label: |t| t.field_line2,
        kind: "text",
        autocomplete: "address-line2",
    },
    Field {
        name: "address.postal_code",
        group: "address",
        label: |t| t.field_postal_code,
        kind: "text",
        autocomplete: "postal-code",
    },
    Field {
        name: "address.city",
        group: "address",
        label: |t| t.field_city,
        kind: "text",
        autocomplete: "address-level2",
    },
    Field {
        name: "address.region",
        group: "address",
        label: |t| t.field_region,
        kind: "text",
        autocomplete: "address-level1",
    },
    Field {
        name: "address.country",
        group: "address",
        label: |t| t.field_country,
        kind: "text",
        autocomplete: "country",
    },
];

fn value_of(p: &Profile, name: &str) -> String {
    let a = &p.address;
    match name {
        "name" => Some(p.name.clone()),
        "email" => p.email.clone(),
        "phone" => p.phone.clone(),
        "address.line1" => a.line1.clone(),
        "address.line2" => a.line2.clone(),
        "address.postal_code" => a.postal_code.clone(),
        "address.city" => a.city.clone(),
        "address.region" => a.region.clone(),
        "address.country" => a.country.clone(),
        _ => None,
    }
    .unwrap_or_default()
}

/// What the browser can tell before asking the server, by the server's own rules; the
/// server checks again. `country` is the address's, for its postal code.
fn local_problem(name: &str, value: &str, country: &str, t: &Messages) -> Option<String> {
    let value = value.trim();
    let verdict = match name {
        "name" => rules::text(value, 200),
        _ if value.is_empty() => Ok(()),
        "email" => rules::email(value),
        "phone" => rules::phone(value),
        "address.country" => rules::country(&value.to_ascii_uppercase()),
        "address.postal_code" => {
            rules::text(value, 200).and_then(|()| rules::postal_code(Some(country.trim()), value))
        }
        _ => rules::text(value, 200),
    };
    verdict.err().map(|problem| in_words(problem, country, t))
}

/// A field's problem in the customer's language; `country` gives a postal code's example.
fn in_words(problem: FieldProblem, country: &str, t: &Messages) -> String {
    let example = rules::postal_code_example(country.trim());
    let text = match problem {
        FieldProblem::Required => t.err_required,
        FieldProblem::TooLong => t.err_too_long,
        FieldProblem::Email => t.err_email,
        FieldProblem::Phone => t.err_phone,
        FieldProblem::Country => t.err_country,
        FieldProblem::PostalCode if example.is_some() => {
            return fill(t.err_postal_code, &[example.unwrap_or_default()]);
        }
        FieldProblem::Duplicate => t.err_duplicate,
        FieldProblem::TaxId
        | FieldProblem::PostalCode
        | FieldProblem::ControlCharacter
        | FieldProblem::Invalid => t.err_invalid,
    };
    text.to_owned()
}

/// The form's name for a field the server names: a tax ID's row by its key.
fn form_field(server_field: &str, tax: &TaxRows) -> String {
    let row = server_field
        .strip_prefix("tax_ids[")
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(index, _)| index.parse::<usize>().ok());
    match row.and_then(|index| tax.key_of(index)) {
        Some(key) => tax_ids::field(key),
        None => server_field.to_owned(),
    }
}

lazy_tab!(
    /// `profile`: loaded when first opened.
    ProfileRoute => ProfileTab
);

#[component]
pub fn ProfileTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let data = Loaded::new(|token| async move { client::profile(&token).await });
    // What the form holds, by field name, and the problems found, by field name.
    let values = RwSignal::new(Vec::<(&'static str, String)>::new());
    let problems = RwSignal::new(Vec::<(String, String)>::new());
    let tax = TaxRows::default();
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let save_failed = RwSignal::new(false);

    // The form is filled from a profile once: again only when it changes (a save's answer),
    // not when the same one arrives again, which would undo what the customer typed.
    let filled = StoredValue::new(None::<Profile>);
    let fill = move |profile: &Profile| {
        if filled.with_value(|f| f.as_ref() == Some(profile)) {
            return;
        }
        filled.set_value(Some(profile.clone()));
        values.set(
            FIELDS
                .iter()
                .map(|f| (f.name, value_of(profile, f.name)))
                .collect(),
        );
        tax.reset(&profile.tax_ids);
    };
    // A page that came with the profile is drawn with the form filled in, by the server and
    // by the browser's first render alike.
    if let Some(profile) = data.get_untracked() {
        fill(&profile);
    }
    Effect::new(move |_| {
        if let Some(profile) = data.get() {
            fill(&profile);
        }
    });
    let value = move |name: &str| {
        values.with(|v| {
            v.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
    };
    let problem = move |name: &str| {
        problems.with(|p| p.iter().find(|(n, _)| n == name).map(|(_, m)| m.clone()))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(profile) = data.get_untracked() else {
            return;
        };
        let Some(token) = context.token() else { return };
        let t = i18n.t();
        let editable = |group: &str| profile.editable.iter().any(|e| e == group);
        // Only editable fields that changed are sent; everything else stays as it is.
        let mut found = Vec::new();
        let country = value("address.country");
        for f in FIELDS.iter().filter(|f| editable(f.group)) {
            if let Some(message) = local_problem(f.name, &value(f.name), &country, t) {
                found.push((f.name.to_owned(), message));
            }
        }
        if editable("tax_ids") {
            found.extend(tax.problems(t));
        }
        saved.set(false);
        save_failed.set(false);
        if !found.is_empty() {
            problems.set(found);
            focus_first_problem();
            return;
        }
        problems.set(Vec::new());
        let changed = |name: &str| value(name).trim() != value_of(&profile, name);
        let field =
            |name: &str| (editable(name) && changed(name)).then(|| value(name).trim().to_owned());
        let address_changed = editable("address")
            && FIELDS
                .iter()
                .filter(|f| f.group == "address")
                .any(|f| changed(f.name));
        let patch = ProfilePatch {
            name: field("name"),
            email: field("email"),
            phone: field("phone"),
            tax_ids: (editable("tax_ids") && tax.filled() != profile.tax_ids).then(|| tax.filled()),
            address: address_changed.then(|| Address {
                line1: Some(value("address.line1")),
                line2: Some(value("address.line2")),
                postal_code: Some(value("address.postal_code")),
                city: Some(value("address.city")),
                region: Some(value("address.region")),
                country: Some(value("address.country").to_uppercase()),
            }),
        };
        saving.set(true);
        leptos::task::spawn_local(async move {
            match client::update_profile(&token, &patch).await {
                Ok(updated) => {
                    data.set(updated);
                    saved.set(true);
                    crate::embed::event(
                        "action",
                        serde_json::json!({ "action": "profile_updated" }),
                    );
                }
                Err(error) if error.session_over() => context.end(&error),
                Err(error) if !error.fields.is_empty() => {
                    let t = i18n.t();
                    let country = value("address.country");
                    problems.set(
                        error
                            .fields
                            .iter()
                            .map(|f| {
                                let field = form_field(&f.field, &tax);
                                let kind = field
                                    .strip_prefix("tax-")
                                    .and_then(|k| k.parse().ok())
                                    .and_then(|k| tax.kind_of(k));
                                let message = match kind {
                                    Some(kind) => tax_ids::in_words(f.code, &kind, t),
                                    None => in_words(f.code, &country, t),
                                };
                                (field, message)
                            })
                            .collect(),
                    );
                    focus_first_problem();
                }
                Err(_) => save_failed.set(true),
            }
            saving.set(false);
        });
    };

    view! {
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">{move || i18n.t().profile_title}</h2>
            {data.view(skeleton, move |profile| move || {
                let t = i18n.t();
                let profile = profile.clone();
                // A browser without scripts (a link opened with the page's button) cannot
                // edit: the server renders the details as text for it.
                if cfg!(feature = "ssr") && !page_answers::scripted() {
                    return details(&profile, t).into_any();
                }
                let any_editable = !profile.editable.is_empty();
                let inputs = FIELDS.iter().map(|f| {
                    let editable = profile.editable.iter().any(|e| e == f.group);
                    let name = f.name;
                    let id = format!("profile-{}", name.replace('.', "-"));
                    let error_id = format!("{id}-error");
                    let hint_id = format!("{id}-hint");
                    let described = move || {
                        let mut ids = Vec::new();
                        if problem(name).is_some() { ids.push(error_id.clone()); }
                        if !editable { ids.push(hint_id.clone()); }
                        (!ids.is_empty()).then(|| ids.join(" "))
                    };
                    let error_id = format!("{id}-error");
                    let hint_id = format!("{id}-hint");
                    let wide = if name.starts_with("address.line") { "field wide" } else { "field" };
                    view! {
                        <div class=wide>
                            <label for=id.clone()>{(f.label)(t)}</label>
                            <input
                                id=id
                                name=name
                                type=f.kind
                                autocomplete=f.autocomplete
                                readonly=!editable
                                aria-invalid=move || problem(name).map(|_| "true")
                                aria-describedby=described
                                required=name == "name" && editable
                                value=untrack(move || value(name))
                                prop:value=move || value(name)
                                on:input=move |ev| {
                                    let text = event_target_value(&ev);
                                    values.update(|v| {
                                        if let Some(slot) = v.iter_mut().find(|(n, _)| *n == name) {
                                            slot.1 = text;
                                        }
                                    });
                                    saved.set(false);
                                }
                            />
                            {(!editable).then(|| view! { <p class="hint" id=hint_id>{t.read_only}</p> })}
                            {move || problem(name).map(|message| view! {
                                <p class="field-error" id=error_id.clone()>{message}</p>
                            })}
                        </div>
                    }
                }).collect_view();
                view! {
                    <form class="profile" novalidate on:submit=submit>
                        {move || (!problems.with(Vec::is_empty)).then(|| view! {
                            <p class="notice" role="alert">{i18n.t().fix_fields}</p>
                        })}
                        <fieldset>
                            <legend class="visually-hidden">{t.profile_title}</legend>
                            <div class="field-grid">{inputs}</div>
                        </fieldset>
                        <TaxIds
                            form=tax
                            editable=profile.editable.iter().any(|e| e == "tax_ids")
                            problem=Callback::new(move |name: String| problem(&name))
                            changed=Callback::new(move |()| saved.set(false))
                        />
                        {any_editable.then(|| view! {
                            <div class="actions">
                                <button type="submit" class="button primary" disabled=move || saving.get()>
                                    {move || if saving.get() { i18n.t().working } else { i18n.t().save }}
                                </button>
                                {move || saved.get().then(|| view! { <p class="success-text" role="status">{i18n.t().saved}</p> })}
                                {move || save_failed.get().then(|| view! { <p class="field-error" role="alert">{i18n.t().action_failed}</p> })}
                            </div>
                        })}
                    </form>
                }.into_any()
            })}
        </section>
    }
}

/// The customer's details as text, with their tax IDs.
fn details(profile: &Profile, t: &'static Messages) -> impl IntoView {
    let fields = FIELDS
        .iter()
        .map(|f| (f, value_of(profile, f.name)))
        .filter(|(_, value)| !value.is_empty())
        .map(|(f, value)| view! { <div><dt>{(f.label)(t)}</dt><dd>{value}</dd></div> })
        .collect_view();
    let tax = profile
        .tax_ids
        .iter()
        .map(|id| view! { <div><dt>{tax_ids::kind_label(&id.kind, t)}</dt><dd>{id.value.clone()}</dd></div> })
        .collect_view();
    view! { <dl class="facts">{fields}{tax}</dl> }
}

/// Moves the keyboard to the first field with a problem.
fn focus_first_problem() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        request_animation_frame(|| {
            let field = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector("[aria-invalid=true]").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(field) = field {
                let _ = field.focus();
            }
        });
    }
}
