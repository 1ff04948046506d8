//! The demo data set, on both backends.

use app::api::records::InvoiceStatus;
use server::config::Config;
use server::demo;

use crate::helpers::{at, TestStore};
use crate::on_both_backends;

on_both_backends!(
    demo_covers_every_kind_of_record,
    running_the_demo_twice_does_not_duplicate_anything,
);

fn config() -> Config {
    Config::load_from(None, |_| None).unwrap()
}

async fn demo_covers_every_kind_of_record(db: TestStore) {
    let store = db.store.as_ref();
    let now = at(2026, 11, 23);
    let output = demo::run(store, &config(), now, true).await.unwrap();
    assert_eq!(output.organisation.name, "Acme Cloud");
    assert_eq!(output.links.len(), 3);

    let org = output.organisation.id.as_str();
    let customers = store.list_customers(org, None, 10).await.unwrap();
    assert_eq!(customers.len(), 3);

    let mut statuses = std::collections::HashSet::new();
    let mut months = std::collections::BTreeSet::new();
    for customer in &customers {
        let invoices = store
            .list_invoices(org, &customer.id, true, None, 100)
            .await
            .unwrap();
        assert!(!invoices.is_empty(), "{} has invoices", customer.name);
        for summary in &invoices {
            statuses.insert(summary.status);
            months.insert(summary.issued_at.format("%Y-%m").to_string());
            let invoice = store.get_invoice(org, &summary.id).await.unwrap().unwrap();
            assert!(!invoice.lines.is_empty(), "{} has lines", invoice.number);
            let sum: i64 = invoice.lines.iter().map(|l| l.amount).sum();
            assert_eq!(
                sum, invoice.total,
                "{}: lines add up to the total",
                invoice.number
            );
            assert!(invoice.amount_due <= invoice.total);
            assert!(
                invoice.issued_at <= now,
                "{} is not in the future",
                invoice.number
            );
        }
        assert!(!store
            .list_subscriptions(org, &customer.id)
            .await
            .unwrap()
            .is_empty());
        assert!(!store
            .list_entitlements(org, &customer.id)
            .await
            .unwrap()
            .is_empty());
        let methods = store.list_payment_methods(org, &customer.id).await.unwrap();
        assert_eq!(methods.iter().filter(|m| m.is_default).count(), 1);
    }
    for status in InvoiceStatus::ALL {
        assert!(statuses.contains(status), "some invoice is {status}");
    }
    assert!(months.len() >= 18, "18 months of history: {months:?}");

    let counts = store.record_counts(org).await.unwrap();
    assert!(counts.credit_notes >= 1);
    let mut refunds = 0;
    for customer in &customers {
        refunds += store
            .list_payments(org, &customer.id, None, 100)
            .await
            .unwrap()
            .iter()
            .filter(|p| p.kind == app::api::records::PaymentKind::Refund)
            .count();
    }
    assert!(refunds >= 1);
}

async fn running_the_demo_twice_does_not_duplicate_anything(db: TestStore) {
    let store = db.store.as_ref();
    let first = demo::run(store, &config(), at(2026, 11, 23), true)
        .await
        .unwrap();
    let before = store.record_counts(&first.organisation.id).await.unwrap();
    let second = demo::run(store, &config(), at(2026, 11, 23), true)
        .await
        .unwrap();
    let after = store.record_counts(&second.organisation.id).await.unwrap();
    assert_eq!(first.organisation.id, second.organisation.id);
    assert_eq!(before, after);
    assert_eq!(store.count_organisations().await.unwrap(), 1);

    // Only the newest demo key works; the previous one is revoked.
    let keys = store.list_api_keys(&first.organisation.id).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys.iter().filter(|k| k.revoked_at.is_none()).count(), 1);
    let live = store
        .find_api_key(&server::token::hash(&second.api_key))
        .await
        .unwrap()
        .unwrap();
    assert!(live.revoked_at.is_none());
}
