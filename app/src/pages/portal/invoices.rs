use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::load::{Load, Paged};
use super::PortalContext;
use crate::api::records::{Invoice, InvoiceStatus};
use crate::client::{self, ClientError};
use crate::components::problem::Problem;
use crate::format;

/// The label of a status badge.
pub fn status_label(status: InvoiceStatus) -> &'static str {
    match status {
        InvoiceStatus::Draft => "Draft",
        InvoiceStatus::Open => "Open",
        InvoiceStatus::Paid => "Paid",
        InvoiceStatus::PartiallyPaid => "Partially paid",
        InvoiceStatus::Overdue => "Overdue",
        InvoiceStatus::Void => "Void",
        InvoiceStatus::Uncollectible => "Uncollectible",
    }
}

#[component]
fn StatusBadge(status: InvoiceStatus) -> impl IntoView {
    view! { <span class=format!("badge status-{}", status.as_str())>{status_label(status)}</span> }
}

/// The invoices tab: newest first, more on demand.
#[component]
pub fn InvoicesTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let paged =
        Paged::new(
            |token, cursor| async move { client::invoices(&token, cursor.as_deref()).await },
        );
    let Paged {
        rows, next, state, ..
    } = paged;

    view! {
        <section class="card" aria-labelledby="invoices-title">
            <h2 id="invoices-title">"Invoices"</h2>
            {move || match state.get() {
                Load::Failed(error) => view! {
                    <Problem code=error.code return_url=None retry=Callback::new(move |_| paged.reload())/>
                }
                .into_any(),
                _ if rows.with(Vec::is_empty) && state.get() == Load::Ready => view! {
                    <p class="empty">"You have no invoices yet."</p>
                }
                .into_any(),
                _ => view! {
                    <table class="records">
                        <thead>
                            <tr>
                                <th scope="col">"Invoice"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Total"</th>
                                <th scope="col" class="num">"Amount due"</th>
                                <th scope="col">"Due date"</th>
                                <th scope="col">"Issued"</th>
                            </tr>
                        </thead>
                        <tbody>
                            <For
                                each=move || rows.get()
                                key=|invoice| invoice.id.clone()
                                let:invoice
                            >
                                <tr>
                                    <th scope="row">
                                        <A href=context.path(&format!("invoices/{}", invoice.id))>
                                            {invoice.number.clone()}
                                        </A>
                                    </th>
                                    <td data-label="Status"><StatusBadge status=invoice.status/></td>
                                    <td class="num" data-label="Total">{format::money(invoice.total, &invoice.currency)}</td>
                                    <td class="num" data-label="Amount due">{format::money(invoice.amount_due, &invoice.currency)}</td>
                                    <td data-label="Due date">{invoice.due_date.map(format::date).unwrap_or_else(|| "—".into())}</td>
                                    <td data-label="Issued">{format::date(invoice.issued_at.date_naive())}</td>
                                </tr>
                            </For>
                        </tbody>
                    </table>
                    {move || (state.get() == Load::Loading).then(|| view! {
                        <div class="skeleton skeleton-rows" aria-hidden="true"></div>
                    })}
                    {move || next.get().filter(|_| state.get() == Load::Ready).map(|_| view! {
                        <button type="button" class="button more" on:click=move |_| paged.more()>
                            "Show older invoices"
                        </button>
                    })}
                }
                .into_any(),
            }}
        </section>
    }
}

/// One invoice: its lines and totals.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let params = use_params_map();
    let invoice = RwSignal::new(None::<Invoice>);
    let failure = RwSignal::new(None::<ClientError>);

    Effect::new(move |_| {
        let id = params.read().get("invoice").unwrap_or_default();
        let Some(token) = context.token() else { return };
        leptos::task::spawn_local(async move {
            match client::invoice(&token, &id).await {
                Ok(found) => invoice.set(Some(found)),
                Err(error) if error.session_over() => context.end(&error),
                Err(error) => failure.set(Some(error)),
            }
        });
    });

    view! {
        <p><A href=move || context.path("invoices")>"← All invoices"</A></p>
        {move || match (invoice.get(), failure.get()) {
            (_, Some(error)) if error.status == 404 => view! {
                <section class="card"><h2>"Invoice not found"</h2></section>
            }
            .into_any(),
            (_, Some(error)) => view! { <Problem code=error.code return_url=None/> }.into_any(),
            (None, None) => view! { <div class="skeleton skeleton-block" aria-busy="true"></div> }.into_any(),
            (Some(invoice), None) => {
                let currency = invoice.currency.clone();
                view! {
                    <section class="card invoice" aria-labelledby="invoice-title">
                        <div class="invoice-head">
                            <h2 id="invoice-title">"Invoice " {invoice.number.clone()}</h2>
                            <StatusBadge status=invoice.status/>
                        </div>
                        <dl class="facts">
                            <div><dt>"Issued"</dt><dd>{format::date(invoice.issued_at.date_naive())}</dd></div>
                            <div><dt>"Due date"</dt><dd>{invoice.due_date.map(format::date).unwrap_or_else(|| "—".into())}</dd></div>
                            <div>
                                <dt>"Billing period"</dt>
                                <dd>{match (invoice.period_start, invoice.period_end) {
                                    (Some(s), Some(e)) => format!("{} – {}", format::date(s), format::date(e)),
                                    _ => "—".into(),
                                }}</dd>
                            </div>
                        </dl>
                        <table class="records lines">
                            <thead>
                                <tr>
                                    <th scope="col">"Description"</th>
                                    <th scope="col" class="num">"Quantity"</th>
                                    <th scope="col" class="num">"Unit price"</th>
                                    <th scope="col" class="num">"Amount"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {invoice.lines.iter().map(|line| view! {
                                    <tr>
                                        <td>{line.description.clone()}</td>
                                        <td class="num" data-label="Quantity">{line.quantity}</td>
                                        <td class="num" data-label="Unit price">{format::money(line.unit_amount, &currency)}</td>
                                        <td class="num" data-label="Amount">{format::money(line.amount, &currency)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                            <tfoot>
                                <tr>
                                    <th scope="row" colspan="3">"Total"</th>
                                    <td class="num">{format::money(invoice.total, &currency)}</td>
                                </tr>
                                <tr>
                                    <th scope="row" colspan="3">"Amount due"</th>
                                    <td class="num">{format::money(invoice.amount_due, &currency)}</td>
                                </tr>
                            </tfoot>
                        </table>
                    </section>
                }
                .into_any()
            }
        }}
    }
}
