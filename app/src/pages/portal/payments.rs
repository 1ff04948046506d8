//! The payments tab: payments and refunds, newest first, with the invoice each one paid.

use leptos::prelude::*;
use leptos_router::components::A;

use super::load::{Download, Load, Paged};
use super::PortalContext;
use crate::api::records::{PaymentKind, PaymentStatus};
use crate::client;
use crate::components::problem::Problem;
use crate::format;
use crate::i18n::{use_i18n, Messages};

pub fn kind_label(kind: PaymentKind, t: &Messages) -> &'static str {
    match kind {
        PaymentKind::Payment => t.kind_payment,
        PaymentKind::Refund => t.kind_refund,
    }
}

pub fn payment_status_badge(status: PaymentStatus, t: &Messages) -> impl IntoView {
    let (class, label) = match status {
        PaymentStatus::Succeeded => ("badge status-paid", t.payment_succeeded),
        PaymentStatus::Pending => ("badge status-open", t.payment_pending),
        PaymentStatus::Failed => ("badge status-overdue", t.payment_failed),
    };
    view! { <span class=class>{label}</span> }
}

lazy_tab!(
    /// `payments`: loaded when first opened.
    PaymentsRoute => PaymentsTab
);

/// Payments and refunds, newest first, with the invoice each one paid.
#[component]
pub fn PaymentsTab() -> impl IntoView {
    let context = expect_context::<PortalContext>();
    let i18n = use_i18n();
    let paged = Paged::new(&client::payments_path(None), |token, cursor| async move {
        client::payments(&token, cursor.as_deref()).await
    });
    let Paged {
        rows, next, state, ..
    } = paged;
    let download = Download::in_portal();
    let export = move |_| {
        download.start(
            crate::api::routes::PORTAL_PAYMENTS_CSV.into(),
            "payments.csv".into(),
        )
    };
    view! {
        <super::credits::Credits/>
        <section class="card" aria-labelledby="payments-title">
            <div class="card-head">
                <h2 id="payments-title">{move || i18n.t().payments_title}</h2>
                <button type="button" class="button" on:click=export disabled=move || download.busy.get()>
                    {move || if download.busy.get() { i18n.t().downloading } else { i18n.t().download_csv }}
                </button>
            </div>
            {move || download.failed.get().then(|| view! {
                <p class="notice" role="alert">{i18n.t().action_failed}</p>
            })}
            {move || {
                let t = i18n.t();
                let l = i18n.locale();
                match state.get() {
                    Load::Failed(error) => view! {
                        <Problem code=error.code return_url=None retry=Callback::new(move |_| paged.reload())/>
                    }
                    .into_any(),
                    _ if rows.with(Vec::is_empty) && state.get() == Load::Ready => view! {
                        <p class="empty">{t.no_payments}</p>
                    }
                    .into_any(),
                    _ => view! {
                        <table id="payment-rows" class="records">
                            <thead>
                                <tr>
                                    <th scope="col">{t.col_date}</th>
                                    <th scope="col">{t.col_type}</th>
                                    <th scope="col" class="num">{t.col_amount}</th>
                                    <th scope="col">{t.col_method}</th>
                                    <th scope="col">{t.col_status}</th>
                                    <th scope="col">{t.col_invoice}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.get().into_iter().map(|payment| view! {
                                    <tr>
                                        <th scope="row">{format::date(payment.paid_at.date_naive(), l)}</th>
                                        <td data-label=t.col_type>{kind_label(payment.kind, t)}</td>
                                        <td class="num" data-label=t.col_amount>
                                            {format::money(
                                                if payment.kind == PaymentKind::Refund { -payment.amount } else { payment.amount },
                                                &payment.currency,
                                                l,
                                            )}
                                        </td>
                                        <td data-label=t.col_method>{payment.method.clone()}</td>
                                        <td data-label=t.col_status>{payment_status_badge(payment.status, t)}</td>
                                        <td data-label=t.col_invoice>
                                            {payment.invoice_id.clone().map(|id| view! {
                                                <A href=context.path(&format!("invoices/{id}"))>{t.view_invoice}</A>
                                            })}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(state.get() == Load::Loading).then(|| view! {
                            <div class="skeleton skeleton-rows" aria-hidden="true"></div>
                        })}
                        {next.get().filter(|_| state.get() == Load::Ready).map(|_| view! {
                            <button type="button" class="button more" on:click=move |_| paged.more_and_focus("payment-rows")>
                                {t.show_more}
                            </button>
                        })}
                    }
                    .into_any(),
                }
            }}
        </section>
    }
}
