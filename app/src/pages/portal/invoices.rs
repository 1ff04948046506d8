//! The invoices tab (filters, sort, search, paging, CSV) and the invoice page.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::load::{skeleton, Download, Load, Loaded, Paged};
use super::pay::{PayLink, Paying};
use super::{PageQuery, PortalContext};
use crate::api::portal::{parse_statuses, InvoiceDetail, InvoiceFilter, InvoiceSort};
use crate::api::records::{CreditNoteStatus, InvoiceStatus, PaymentKind};
use crate::api::{dates, routes};
use crate::client;
use crate::components::problem::Problem;
use crate::format;
use crate::i18n::{fill, use_i18n, Label, Messages};

/// The label of an invoice status.
pub fn status_label(status: InvoiceStatus, t: &Messages) -> &'static str {
    match status {
        InvoiceStatus::Draft => t.status_draft,
        InvoiceStatus::Open => t.status_open,
        InvoiceStatus::Paid => t.status_paid,
        InvoiceStatus::PartiallyPaid => t.status_partially_paid,
        InvoiceStatus::Overdue => t.status_overdue,
        InvoiceStatus::Void => t.status_void,
        InvoiceStatus::Uncollectible => t.status_uncollectible,
    }
}

/// The statuses a customer can filter by, in the order a customer thinks of them.
const FILTER_STATUSES: [InvoiceStatus; 6] = [
    InvoiceStatus::Open,
    InvoiceStatus::Overdue,
    InvoiceStatus::PartiallyPaid,
    InvoiceStatus::Paid,
    InvoiceStatus::Void,
    InvoiceStatus::Uncollectible,
];

/// The sort menu: value, column and direction, label.
const SORTS: [(&str, InvoiceSort, bool, Label); 8] = [
    ("issued_at-desc", InvoiceSort::IssuedAt, true, |t| {
        t.sort_newest
    }),
    ("issued_at-asc", InvoiceSort::IssuedAt, false, |t| {
        t.sort_oldest
    }),
    ("due_date-asc", InvoiceSort::DueDate, false, |t| {
        t.sort_due_soonest
    }),
    ("due_date-desc", InvoiceSort::DueDate, true, |t| {
        t.sort_due_latest
    }),
    ("total-desc", InvoiceSort::Total, true, |t| {
        t.sort_total_highest
    }),
    ("total-asc", InvoiceSort::Total, false, |t| {
        t.sort_total_lowest
    }),
    ("amount_due-desc", InvoiceSort::AmountDue, true, |t| {
        t.sort_due_amount_highest
    }),
    ("amount_due-asc", InvoiceSort::AmountDue, false, |t| {
        t.sort_due_amount_lowest
    }),
];

#[component]
pub fn StatusBadge(status: InvoiceStatus) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class=format!("badge status-{}", status.as_str())>
            {move || status_label(status, i18n.t())}
        </span>
    }
}

/// The filter a deep link asks for (`?status=overdue`, from the overview).
fn filter_from_query() -> InvoiceFilter {
    let mut filter = InvoiceFilter::default();
    if let Some(statuses) = PageQuery::get("status") {
        filter.statuses = parse_statuses(&statuses).unwrap_or_default();
    }
    filter.from = PageQuery::get("from").and_then(|d| dates::parse_date(&d));
    filter.to = PageQuery::get("to").and_then(|d| dates::parse_date(&d));
    filter.search = PageQuery::get("q").unwrap_or_default();
    filter
}

/// The invoices tab: filtered, sorted and searched on the server, a page at a time.
#[component]
pub fn InvoicesTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let filter = RwSignal::new(filter_from_query());
    let first = client::invoices_path(&filter.get_untracked(), None);
    let paged = Paged::new(&first, move |token, cursor| {
        let wanted = filter.get_untracked();
        async move { client::invoices(&token, &wanted, cursor.as_deref()).await }
    });
    let Paged {
        rows, next, state, ..
    } = paged;
    // Any change of filter or order starts again from the first page, and its result is
    // announced once it is in.
    let announce = RwSignal::new(false);
    Effect::new(move |first: Option<()>| {
        filter.track();
        if first.is_some() {
            announce.set(true);
            paged.reload();
        }
    });
    let shown = move || {
        let count = rows.with(Vec::len);
        if !announce.get() || state.get() != Load::Ready || count == 0 {
            // An empty result has its own status message.
            return String::new();
        }
        let t = i18n.t();
        if count == 1 {
            t.invoices_shown_one.to_owned()
        } else {
            fill(
                t.invoices_shown_many,
                &[&format::number(count as i64, i18n.locale())],
            )
        }
    };

    // The search box waits for a pause in typing before it asks.
    let search_text = RwSignal::new(filter.get_untracked().search);
    let pending_search = StoredValue::new(None::<TimeoutHandle>);
    let on_search = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        search_text.set(text.clone());
        if let Some(handle) = pending_search.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || filter.update(|f| f.search = text),
            std::time::Duration::from_millis(300),
        )
        .ok();
        pending_search.set_value(handle);
    };
    let on_status = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        filter.update(|f| f.statuses = parse_statuses(&value).unwrap_or_default());
    };
    let on_date = move |to: bool| {
        move |ev: leptos::ev::Event| {
            let date = dates::parse_date(&event_target_value(&ev));
            filter.update(|f| if to { f.to = date } else { f.from = date });
        }
    };
    let on_sort = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        if let Some((_, sort, descending, _)) = SORTS.iter().find(|(v, ..)| *v == value) {
            filter.update(|f| {
                f.sort = *sort;
                f.descending = *descending;
            });
        }
    };
    // The button leaves the page with the filters it clears; the list's heading gets the
    // keyboard instead of the page body.
    let filters_open = RwSignal::new(false);
    // The filters folded on a phone that narrow the list (the search box stays in view).
    let active_filters = move || {
        filter.with(|f| {
            usize::from(!f.statuses.is_empty())
                + usize::from(f.from.is_some())
                + usize::from(f.to.is_some())
        })
    };
    let clear = move |_| {
        search_text.set(String::new());
        filter.set(InvoiceFilter::default());
        crate::focus::focus_by_id("invoices-title");
    };
    let sort_value = move || {
        let f = filter.get();
        SORTS
            .iter()
            .find(|(_, s, d, _)| *s == f.sort && *d == f.descending)
            .map_or("issued_at-desc", |(v, ..)| v)
    };
    let aria_sort = move |column: InvoiceSort| {
        let f = filter.get();
        match (f.sort == column, f.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        }
    };
    let download = Download::in_portal();
    let export = move |_| {
        download.start(
            client::invoices_csv_path(&filter.get_untracked()),
            "invoices.csv".into(),
        )
    };

    view! {
        <section class="card" aria-labelledby="invoices-title">
            <div class="card-head">
                <h2 id="invoices-title" tabindex="-1">{move || i18n.t().tab_invoices}</h2>
                <button type="button" class="button" on:click=export disabled=move || download.busy.get()>
                    {move || if download.busy.get() { i18n.t().downloading } else { i18n.t().download_csv }}
                </button>
            </div>
            {move || download.failed.get().then(|| view! {
                <p class="notice" role="alert">{i18n.t().action_failed}</p>
            })}
            <form class="filters" role="search" aria-label=move || i18n.t().filters_label
                on:submit=|ev| ev.prevent_default()>
                <div class="field search">
                    <label for="filter-q">{move || i18n.t().search_number}</label>
                    <input type="search" id="filter-q" name="q" autocomplete="off"
                        placeholder=move || i18n.t().search_placeholder
                        prop:value=move || search_text.get() on:input=on_search/>
                </div>
                // On a phone the other filters fold behind one button, so that the first
                // invoice shows without scrolling; wider screens show them all.
                <button type="button" class="button filters-toggle" aria-controls="more-filters"
                    aria-expanded=move || filters_open.get().to_string()
                    on:click=move |_| filters_open.update(|open| *open = !*open)>
                    {move || match active_filters() {
                        0 => i18n.t().filters_button.to_owned(),
                        n => fill(i18n.t().filters_button_active, &[&n.to_string()]),
                    }}
                </button>
                <div id="more-filters" class="more-filters" class:open=move || filters_open.get()>
                    <div class="field">
                        <label for="filter-status">{move || i18n.t().col_status}</label>
                        <select id="filter-status" name="status" on:change=on_status
                            prop:value=move || filter.with(|f| f.statuses.first().map(|s| s.as_str()).unwrap_or_default().to_owned())>
                            <option value="">{move || i18n.t().all_statuses}</option>
                            {FILTER_STATUSES.into_iter().map(|s| view! {
                                <option value=s.as_str() selected=move || filter.with(|f| f.statuses.first() == Some(&s))>
                                    {move || status_label(s, i18n.t())}
                                </option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="filter-from">{move || i18n.t().date_from}</label>
                        <input type="date" id="filter-from" name="from" on:change=on_date(false)
                            prop:value=move || filter.with(|f| f.from.map(|d| d.to_string()).unwrap_or_default())/>
                    </div>
                    <div class="field">
                        <label for="filter-to">{move || i18n.t().date_to}</label>
                        <input type="date" id="filter-to" name="to" on:change=on_date(true)
                            prop:value=move || filter.with(|f| f.to.map(|d| d.to_string()).unwrap_or_default())/>
                    </div>
                    <div class="field">
                        <label for="filter-sort">{move || i18n.t().sort_by}</label>
                        <select id="filter-sort" name="sort" on:change=on_sort prop:value=sort_value>
                            {SORTS.into_iter().map(|(value, _, _, label)| view! {
                                <option value=value selected=move || sort_value() == value>{move || label(i18n.t())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                {move || filter.with(InvoiceFilter::narrows).then(|| view! {
                    <button type="button" class="button link" on:click=clear>{i18n.t().clear_filters}</button>
                })}
            </form>
            <p class="visually-hidden" role="status">{shown}</p>
            {move || match state.get() {
                Load::Failed(error) => view! {
                    <Problem code=error.code return_url=None retry=Callback::new(move |_| paged.reload())/>
                }
                .into_any(),
                _ if rows.with(Vec::is_empty) && state.get() == Load::Ready => {
                    let t = i18n.t();
                    let text = if filter.with(InvoiceFilter::narrows) { t.no_matching_invoices } else { t.no_invoices };
                    view! { <p class="empty" role="status">{text}</p> }.into_any()
                }
                _ => view! {
                    <div class="table-wrap">
                    <table id="invoice-rows" class="records invoices-table">
                        <thead>
                            <tr>
                                <th scope="col">{move || i18n.t().col_invoice_id}</th>
                                <th scope="col">{move || i18n.t().col_status}</th>
                                <th scope="col" class="num" aria-sort=move || aria_sort(InvoiceSort::Total)>{move || i18n.t().col_invoice_total}</th>
                                <th scope="col" aria-sort=move || aria_sort(InvoiceSort::DueDate)>{move || i18n.t().col_due_date}</th>
                                <th scope="col" class="num" aria-sort=move || aria_sort(InvoiceSort::AmountDue)>{move || i18n.t().col_amount_due}</th>
                                <th scope="col">{move || i18n.t().col_billing_period}</th>
                                <th scope="col" aria-sort=move || aria_sort(InvoiceSort::IssuedAt)>{move || i18n.t().col_generated_on}</th>
                            </tr>
                        </thead>
                        <tbody>
                            // A plain list rather than a keyed one: a page more reuses the
                            // rows already drawn and adds its own, and a link's landing page
                            // needs none of the keyed list's code.
                            {move || rows.get().into_iter().map(|invoice| {
                                let t = move || i18n.t();
                                let l = move || i18n.locale();
                                let inv = invoice.clone();
                                view! {
                                    <tr>
                                        <th scope="row" data-label=move || t().col_invoice_id>
                                            <a href=context.path(&format!("invoices/{}", invoice.id))>
                                                {invoice.number.clone()}
                                            </a>
                                        </th>
                                        <td data-label=move || t().col_status><StatusBadge status=invoice.status/></td>
                                        <td class="num" data-label=move || t().col_invoice_total>
                                            {let i = inv.clone(); move || format::money(i.total, &i.currency, l())}
                                        </td>
                                        <td data-label=move || t().col_due_date>
                                            {let d = inv.due_date; move || d.map(|d| format::date(d, l())).unwrap_or_else(|| t().none.into())}
                                        </td>
                                        <td class="num" data-label=move || t().col_amount_due>
                                            {let i = inv.clone(); move || format::money(i.amount_due, &i.currency, l())}
                                            {inv.payable_at().map(|url| view! {
                                                " "
                                                <PayLink url=url.to_owned() compact=true paying=Paying::Invoice {
                                                    id: inv.id.clone(),
                                                    number: inv.number.clone(),
                                                }/>
                                            })}
                                        </td>
                                        <td class="period" data-label=move || t().col_billing_period>
                                            {let (s, e) = (inv.period_start, inv.period_end); move || period(s, e, l(), t())}
                                        </td>
                                        <td data-label=move || t().col_generated_on>
                                            {let d = inv.issued_at.date_naive(); move || format::date(d, l())}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                    {move || (state.get() == Load::Loading).then(|| view! {
                        <div class="skeleton skeleton-rows" aria-hidden="true"></div>
                    })}
                    {move || next.get().filter(|_| state.get() == Load::Ready).map(|_| view! {
                        <button type="button" class="button more" on:click=move |_| paged.more_and_focus("invoice-rows")>
                            {i18n.t().show_more}
                        </button>
                    })}
                }
                .into_any(),
            }}
        </section>
    }
}

/// A billing period as `1 Jan 2026 – 31 Jan 2026`, or a dash.
pub fn period(
    start: Option<chrono::NaiveDate>,
    end: Option<chrono::NaiveDate>,
    locale: format::Locale,
    t: &Messages,
) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format::date_range(s, e, locale),
        _ => t.none.to_owned(),
    }
}

lazy_tab!(
    /// `invoices/<id>`, one invoice: loaded when first opened.
    InvoiceRoute => InvoicePage
);

/// One invoice: its lines and totals, what was paid and credited against it, its PDF.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let params = use_params_map();
    let detail = Loaded::new(move |token| {
        let id = params.read().get("invoice").unwrap_or_default();
        async move { client::invoice(&token, &id).await }
    });
    let failed = move |code: String| {
        if code == "not_found" {
            view! { <section class="card"><h2>{move || i18n.t().invoice_not_found}</h2></section> }
                .into_any()
        } else {
            view! { <Problem code return_url=None retry=Callback::new(move |_| detail.refetch())/> }
                .into_any()
        }
    };

    let download = Download::in_portal();
    let download_pdf = move |id: String, number: String| {
        download.start(
            routes::with_id(routes::PORTAL_INVOICE_PDF, &id),
            routes::pdf_file_name(&number),
        );
    };

    view! {
        <p><A href=move || context.path("invoices")>{move || i18n.t().all_invoices}</A></p>
        {detail.view_or(skeleton, failed, move |detail| move || {
            let t = i18n.t();
            let l = i18n.locale();
            let InvoiceDetail { invoice, payments, credit_notes, has_pdf } = detail.clone();
            let currency = invoice.currency.clone();
            let money = move |amount: i64| format::money(amount, &currency, l);
            let (id, number) = (invoice.id.clone(), invoice.number.clone());
            let pdf = if has_pdf {
                Some(view! {
                    <button type="button" class="button primary"
                        disabled=move || download.busy.get()
                        on:click=move |_| download_pdf(id.clone(), number.clone())>
                        {move || if download.busy.get() { i18n.t().downloading } else { i18n.t().download_pdf }}
                    </button>
                }.into_any())
            } else {
                invoice.pdf_url.clone().map(|url| view! {
                    <a class="button primary" href=url target="_blank" rel="noreferrer">{t.download_pdf}</a>
                }.into_any())
            };
            view! {
                <section class="card invoice" aria-labelledby="invoice-title">
                    <div class="invoice-head">
                        <h2 id="invoice-title">{fill(t.invoice_title, &[&invoice.number])}</h2>
                        <StatusBadge status=invoice.status/>
                        <span class="spacer"></span>
                        {invoice.payable_at().map(|url| view! {
                            <PayLink url=url.to_owned() paying=Paying::Invoice {
                                id: invoice.id.clone(),
                                number: invoice.number.clone(),
                            }/>
                        })}
                        {pdf}
                    </div>
                    {move || download.failed.get().then(|| view! {
                        <p class="notice" role="alert">{i18n.t().action_failed}</p>
                    })}
                    <dl class="facts">
                        <div><dt>{t.col_generated_on}</dt><dd>{format::date(invoice.issued_at.date_naive(), l)}</dd></div>
                        <div><dt>{t.col_due_date}</dt><dd>{invoice.due_date.map(|d| format::date(d, l)).unwrap_or_else(|| t.none.into())}</dd></div>
                        <div><dt>{t.col_billing_period}</dt><dd>{period(invoice.period_start, invoice.period_end, l, t)}</dd></div>
                    </dl>
                    <table class="records lines">
                        <thead>
                            <tr>
                                <th scope="col">{t.col_description}</th>
                                <th scope="col" class="num">{t.col_quantity}</th>
                                <th scope="col" class="num">{t.col_unit_price}</th>
                                <th scope="col" class="num">{t.col_amount}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {invoice.lines.iter().map(|line| view! {
                                <tr>
                                    <td>{line.description.clone()}</td>
                                    <td class="num" data-label=t.col_quantity>{format::number(line.quantity, l)}</td>
                                    <td class="num" data-label=t.col_unit_price>{money(line.unit_amount)}</td>
                                    <td class="num" data-label=t.col_amount>{money(line.amount)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                        <tfoot>
                            <tr>
                                <th scope="row" colspan="3">{t.total}</th>
                                <td class="num">{money(invoice.total)}</td>
                            </tr>
                            <tr>
                                <th scope="row" colspan="3">{t.col_amount_due}</th>
                                <td class="num">{money(invoice.amount_due)}</td>
                            </tr>
                        </tfoot>
                    </table>
                </section>
                <section class="card" aria-labelledby="applied-title">
                    <h2 id="applied-title">{t.payments_applied}</h2>
                    {if payments.is_empty() {
                        view! { <p class="empty">{t.no_payments_applied}</p> }.into_any()
                    } else {
                        view! {
                            <table class="records applied">
                                <thead>
                                    <tr>
                                        <th scope="col">{t.col_date}</th>
                                        <th scope="col">{t.col_type}</th>
                                        <th scope="col">{t.col_method}</th>
                                        <th scope="col">{t.col_status}</th>
                                        <th scope="col" class="num">{t.col_amount}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {payments.into_iter().map(|p| view! {
                                        <tr>
                                            <th scope="row">{format::date(p.paid_at.date_naive(), l)}</th>
                                            <td data-label=t.col_type>{super::payments::kind_label(p.kind, t)}</td>
                                            <td data-label=t.col_method>{p.method.clone()}</td>
                                            <td data-label=t.col_status>{super::payments::payment_status_badge(p.status, t)}</td>
                                            <td class="num" data-label=t.col_amount>
                                                {format::money(if p.kind == PaymentKind::Refund { -p.amount } else { p.amount }, &p.currency, l)}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                </section>
                {(!credit_notes.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="credits-title">
                        <h2 id="credits-title">{t.credit_notes}</h2>
                        <table class="records credits">
                            <thead>
                                <tr>
                                    <th scope="col">{t.col_number}</th>
                                    <th scope="col">{t.col_date}</th>
                                    <th scope="col">{t.col_reason}</th>
                                    <th scope="col">{t.col_status}</th>
                                    <th scope="col" class="num">{t.col_amount}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {credit_notes.into_iter().map(|c| view! {
                                    <tr>
                                        <th scope="row">{c.number.clone()}</th>
                                        <td data-label=t.col_date>{format::date(c.issued_at.date_naive(), l)}</td>
                                        <td data-label=t.col_reason>{c.reason.clone().unwrap_or_else(|| t.none.into())}</td>
                                        <td data-label=t.col_status>
                                            {match c.status {
                                                CreditNoteStatus::Issued => view! { <span class="badge status-paid">{t.credit_issued}</span> },
                                                CreditNoteStatus::Void => view! { <span class="badge status-void">{t.credit_void}</span> },
                                            }}
                                        </td>
                                        <td class="num" data-label=t.col_amount>{format::money(-c.total, &c.currency, l)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                })}
            }
            .into_any()
        })}
    }
}
