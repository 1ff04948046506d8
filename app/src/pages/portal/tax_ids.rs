//! The profile's tax IDs: a row for each, with its type and number, which the customer may
//! add, change and remove where the organisation allows.

use leptos::prelude::*;

use crate::api::records::TaxId;
use crate::api::rules::{self, Problem, OTHER_TAX_ID, TAX_IDS_MAX, TAX_ID_KINDS};
use crate::i18n::{fill, use_i18n, Messages};

/// One tax ID as the form holds it. `key` stays with the row while others come and go, so
/// that its inputs and its problem stay where they are.
#[derive(Clone, Debug, PartialEq)]
pub struct TaxRow {
    pub key: u32,
    pub kind: String,
    pub value: String,
}

/// The form's rows, and the key the next new row takes.
#[derive(Clone, Copy)]
pub struct TaxRows {
    pub rows: RwSignal<Vec<TaxRow>>,
    next: StoredValue<u32>,
}

impl Default for TaxRows {
    fn default() -> Self {
        Self {
            rows: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
        }
    }
}

impl TaxRows {
    /// Starts the form again from what is saved.
    pub fn reset(&self, saved: &[TaxId]) {
        let rows = saved
            .iter()
            .map(|id| self.row(id.kind.clone(), id.value.clone()))
            .collect();
        self.rows.set(rows);
    }

    fn row(&self, kind: String, value: String) -> TaxRow {
        let key = self.next.get_value();
        self.next.set_value(key + 1);
        TaxRow { key, kind, value }
    }

    fn update(&self, key: u32, change: impl FnOnce(&mut TaxRow)) {
        self.rows.update(|rows| {
            if let Some(row) = rows.iter_mut().find(|r| r.key == key) {
                change(row);
            }
        });
    }

    /// What the form would save: the rows with a number, trimmed.
    pub fn filled(&self) -> Vec<TaxId> {
        self.rows.with_untracked(|rows| {
            rows.iter()
                .filter(|r| !r.value.trim().is_empty())
                .map(|r| TaxId {
                    kind: r.kind.clone(),
                    value: r.value.trim().to_owned(),
                })
                .collect()
        })
    }

    /// The key of the row that the server's `index` (into [`TaxRows::filled`]) names.
    pub fn key_of(&self, index: usize) -> Option<u32> {
        self.rows.with_untracked(|rows| {
            rows.iter()
                .filter(|r| !r.value.trim().is_empty())
                .nth(index)
                .map(|r| r.key)
        })
    }

    /// The type of the row with `key`.
    pub fn kind_of(&self, key: u32) -> Option<String> {
        self.rows
            .with_untracked(|rows| rows.iter().find(|r| r.key == key).map(|r| r.kind.clone()))
    }

    /// The problems the browser finds by the server's rules, by [`field`] name.
    pub fn problems(&self, t: &Messages) -> Vec<(String, String)> {
        let mut seen = Vec::new();
        let mut found = Vec::new();
        self.rows.with_untracked(|rows| {
            for row in rows.iter().filter(|r| !r.value.trim().is_empty()) {
                match rules::tax_id(&row.kind, &row.value) {
                    Err(problem) => {
                        found.push((field(row.key), in_words(problem, &row.kind, t)));
                    }
                    Ok(written) if seen.contains(&(row.kind.clone(), written.clone())) => {
                        found.push((field(row.key), t.err_duplicate.to_owned()));
                    }
                    Ok(written) => seen.push((row.kind.clone(), written)),
                }
            }
        });
        found
    }
}

/// The form's name for the problem of the row with `key`.
pub fn field(key: u32) -> String {
    format!("tax-{key}")
}

/// A tax ID problem in the customer's language, with an example of the type.
pub fn in_words(problem: Problem, kind: &str, t: &Messages) -> String {
    match (problem, rules::tax_id_example(kind)) {
        (Problem::TaxId, Some(example)) => fill(t.err_tax_id, &[example]),
        (Problem::Duplicate, _) => t.err_duplicate.to_owned(),
        (Problem::Required, _) => t.err_required.to_owned(),
        (Problem::TooLong, _) => t.err_too_long.to_owned(),
        _ => t.err_invalid.to_owned(),
    }
}

/// A type's name in the customer's language; a vendor's own type is shown as it is named.
pub fn kind_label(kind: &str, t: &Messages) -> String {
    let label = match kind {
        "eu_vat" => t.tax_eu_vat,
        "gb_vat" => t.tax_gb_vat,
        "ch_uid" => t.tax_ch_uid,
        "us_ein" => t.tax_us_ein,
        "au_abn" => t.tax_au_abn,
        "ca_bn" => t.tax_ca_bn,
        OTHER_TAX_ID => t.tax_other,
        other => return other.replace('_', " ").to_uppercase(),
    };
    label.to_owned()
}

/// The tax IDs, as a list where they are the vendor's to change, as rows otherwise.
#[component]
pub fn TaxIds(
    form: TaxRows,
    editable: bool,
    /// The problem found with a field, by [`field`] name.
    problem: Callback<String, Option<String>>,
    /// Called whenever the customer changes something.
    changed: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let legend = move || i18n.t().field_tax_ids;
    if !editable {
        return view! {
            <fieldset class="tax-ids">
                <legend>{legend}</legend>
                {move || {
                    let t = i18n.t();
                    let rows = form.rows.get();
                    if rows.is_empty() {
                        return view! { <p class="muted">{t.tax_id_none}</p> }.into_any();
                    }
                    view! {
                        <dl class="tax-id-list">
                            {rows.into_iter().map(|r| view! {
                                <div><dt>{kind_label(&r.kind, t)}</dt><dd>{r.value}</dd></div>
                            }).collect_view()}
                        </dl>
                    }.into_any()
                }}
                <p class="hint">{move || i18n.t().read_only}</p>
            </fieldset>
        }
        .into_any();
    }
    let add = move |_| {
        let row = form.row(TAX_ID_KINDS[0].to_owned(), String::new());
        let key = row.key;
        form.rows.update(|rows| rows.push(row));
        changed.run(());
        crate::focus::focus_by_id(format!("tax-{key}-value"));
    };
    let remove = move |key: u32| {
        let index = form
            .rows
            .with_untracked(|rows| rows.iter().position(|r| r.key == key));
        form.rows.update(|rows| rows.retain(|r| r.key != key));
        changed.run(());
        // The keyboard goes to the next row's number, or to "Add" when none is left.
        let next = form.rows.with_untracked(|rows| {
            let i = index.unwrap_or(0).min(rows.len().saturating_sub(1));
            rows.get(i).map(|r| r.key)
        });
        crate::focus::focus_by_id(next.map_or("tax-add".to_owned(), |k| format!("tax-{k}-value")));
    };
    view! {
        <fieldset class="tax-ids">
            <legend>{legend}</legend>
            {move || form.rows.with(Vec::is_empty).then(|| view! {
                <p class="muted">{move || i18n.t().tax_id_none}</p>
            })}
            <For each=move || form.rows.get() key=|r| r.key let:row>
                {
                    let key = row.key;
                    let kind_id = format!("tax-{key}-type");
                    let value_id = format!("tax-{key}-value");
                    let error_id = format!("tax-{key}-error");
                    let kind = move || form.rows.with(|rows| {
                        rows.iter().find(|r| r.key == key).map(|r| r.kind.clone()).unwrap_or_default()
                    });
                    let value = move || form.rows.with(|rows| {
                        rows.iter().find(|r| r.key == key).map(|r| r.value.clone()).unwrap_or_default()
                    });
                    let problem = move || problem.run(field(key));
                    // A vendor's own type stays on offer for the row that has it.
                    let mut kinds: Vec<String> = TAX_ID_KINDS.iter().map(|k| (*k).to_owned()).collect();
                    kinds.push(OTHER_TAX_ID.to_owned());
                    if !kinds.contains(&row.kind) {
                        kinds.push(row.kind.clone());
                    }
                    let remove_label = move || {
                        let t = i18n.t();
                        let named = format!("{} {}", kind_label(&kind(), t), value().trim());
                        fill(t.tax_id_remove, &[named.trim_end()])
                    };
                    view! {
                        <div class="tax-id-row">
                            <div class="field">
                                <label for=kind_id.clone()>{move || i18n.t().tax_id_kind}</label>
                                <select
                                    id=kind_id
                                    name="tax_id_type"
                                    prop:value=kind
                                    on:change=move |ev| {
                                        let chosen = event_target_value(&ev);
                                        form.update(key, |r| r.kind = chosen);
                                        changed.run(());
                                    }
                                >
                                    {kinds.into_iter().map(|k| {
                                        let selected = k == row.kind;
                                        let label = k.clone();
                                        view! {
                                            <option value=k selected=selected>
                                                {move || kind_label(&label, i18n.t())}
                                            </option>
                                        }
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for=value_id.clone()>{move || i18n.t().tax_id_value}</label>
                                <input
                                    id=value_id
                                    name="tax_id_value"
                                    type="text"
                                    autocomplete="off"
                                    spellcheck="false"
                                    aria-invalid=move || problem().map(|_| "true")
                                    aria-describedby=move || problem().map(|_| error_id.clone())
                                    value=untrack(value)
                                    prop:value=value
                                    on:input=move |ev| {
                                        let typed = event_target_value(&ev);
                                        form.update(key, |r| r.value = typed);
                                        changed.run(());
                                    }
                                />
                                {move || problem().map(|message| view! {
                                    <p class="field-error" id=format!("tax-{key}-error")>{message}</p>
                                })}
                            </div>
                            <button
                                type="button"
                                class="button link remove-tax-id"
                                aria-label=remove_label
                                on:click=move |_| remove(key)
                            >
                                {move || i18n.t().remove_method}
                            </button>
                        </div>
                    }
                }
            </For>
            {move || (form.rows.with(Vec::len) < TAX_IDS_MAX).then(|| view! {
                <button type="button" id="tax-add" class="button add-tax-id" on:click=add>
                    {move || i18n.t().tax_id_add}
                </button>
            })}
        </fieldset>
    }
    .into_any()
}
