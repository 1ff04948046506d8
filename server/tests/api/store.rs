//! The store conformance suite: every case runs on SQLite and on PostgreSQL.

use crate::upserts::Upserts;
use app::api::records::*;
use app::api::settings::OrganisationSettings;
use chrono::NaiveDate;
use server::store::{ApiKey, Cursor, Store, StoreError, Upserted};

use crate::helpers::{at, TestStore};
use crate::on_both_backends;

on_both_backends!(
    organisations_keep_their_settings_and_ids_are_unique,
    api_keys_are_found_by_hash_and_revoked_by_literal_prefix,
    customer_upsert_creates_once_then_updates_in_place,
    customers_of_one_organisation_are_invisible_to_another,
    text_and_money_round_trip_exactly,
    invoice_lines_are_replaced_on_update_and_read_in_order,
    invoices_page_newest_first_without_gaps_or_repeats,
    payments_credit_notes_and_subscriptions_round_trip,
    only_one_payment_method_is_default,
    concurrent_upserts_of_one_id_make_one_record,
    record_counts_count_per_organisation,
);

async fn org(store: &dyn Store, name: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    store
        .create_organisation(&id, name, &OrganisationSettings::default(), at(2026, 1, 1))
        .await
        .unwrap();
    id
}

fn customer_input(name: &str) -> CustomerInput {
    CustomerInput {
        name: name.into(),
        email: Some("billing@example.com".into()),
        phone: None,
        tax_ids: Vec::new(),
        address: Address {
            city: Some("Berlin".into()),
            country: Some("DE".into()),
            ..Address::default()
        },
        locale: Some("de".into()),
        balance_payment_url: None,
    }
}

async fn customer(store: &dyn Store, org: &str, external_id: &str) -> String {
    store
        .upsert_customer(
            org,
            external_id,
            &customer_input("Ada GmbH"),
            at(2026, 1, 2),
        )
        .await
        .unwrap()
        .0
        .id
}

fn invoice_input(customer: &str, number: &str, issued_day: u32, lines: usize) -> InvoiceInput {
    let lines: Vec<InvoiceLine> = (0..lines)
        .map(|i| InvoiceLine {
            description: format!("Line {i}"),
            quantity: i as i64 + 1,
            unit_amount: 1_000,
            amount: (i as i64 + 1) * 1_000,
            period_start: None,
            period_end: None,
        })
        .collect();
    let total = lines.iter().map(|l| l.amount).sum();
    InvoiceInput {
        customer_id: customer.into(),
        number: number.into(),
        status: InvoiceStatus::Open,
        currency: "EUR".into(),
        total,
        amount_due: total,
        due_date: NaiveDate::from_ymd_opt(2026, 2, 1),
        period_start: NaiveDate::from_ymd_opt(2026, 1, 1),
        period_end: NaiveDate::from_ymd_opt(2026, 1, 31),
        issued_at: at(2026, 1, issued_day),
        lines,
        pdf_url: None,
        payment_url: None,
    }
}

async fn organisations_keep_their_settings_and_ids_are_unique(db: TestStore) {
    let store = db.store.as_ref();
    let settings = OrganisationSettings {
        return_origins: vec!["https://vendor.example".into()],
        embed_origins: vec!["https://app.vendor.example".into()],
        default_locale: "fr".into(),
        link_lifetime_secs: 600,
        idle_timeout_secs: 900,
        primary_color: "#0b6e4f".into(),
        support_url: Some("https://help.vendor.example".into()),
        sections: vec!["invoices".into()],
        ..OrganisationSettings::default()
    };
    let created = store
        .create_organisation("org-1", "Vendor <b>&</b> Co", &settings, at(2026, 3, 4))
        .await
        .unwrap();
    let read = store.get_organisation("org-1").await.unwrap().unwrap();
    assert_eq!(read, created);
    assert_eq!(read.settings, settings);
    assert_eq!(read.name, "Vendor <b>&</b> Co");
    assert_eq!(read.created_at, at(2026, 3, 4));
    assert!(store.get_organisation("org-2").await.unwrap().is_none());

    let again = store
        .create_organisation("org-1", "Other", &settings, at(2026, 3, 4))
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict("organisation"))),
        "{again:?}"
    );
    assert_eq!(store.count_organisations().await.unwrap(), 1);
}

async fn api_keys_are_found_by_hash_and_revoked_by_literal_prefix(db: TestStore) {
    let store = db.store.as_ref();
    let org_id = org(store, "Vendor").await;
    let key = |prefix: &str, hash: u8| ApiKey {
        id: uuid::Uuid::new_v4().to_string(),
        organisation_id: org_id.clone(),
        prefix: prefix.into(),
        key_hash: vec![hash; 32],
        label: "ci".into(),
        scope: server::store::KeyScope::Full,
        created_at: at(2026, 1, 1),
        revoked_at: None,
    };
    store.insert_api_key(&key("ptc_aaaa", 1)).await.unwrap();
    store.insert_api_key(&key("ptc_bbbb", 2)).await.unwrap();

    let found = store.find_api_key(&[1; 32]).await.unwrap().unwrap();
    assert_eq!(found.prefix, "ptc_aaaa");
    assert!(found.revoked_at.is_none());
    assert!(store.find_api_key(&[3; 32]).await.unwrap().is_none());

    // A LIKE wildcard in the prefix must not match anything.
    assert_eq!(
        store
            .revoke_api_keys(&org_id, "ptc_%", at(2026, 2, 1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .revoke_api_keys(&org_id, "ptc_a", at(2026, 2, 1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .revoke_api_keys(&org_id, "ptc_a", at(2026, 2, 2))
            .await
            .unwrap(),
        0
    );
    let revoked = store.find_api_key(&[1; 32]).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(at(2026, 2, 1)));
    let other_org = org(store, "Other").await;
    assert_eq!(
        store
            .revoke_api_keys(&other_org, "ptc_b", at(2026, 2, 1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.list_api_keys(&org_id).await.unwrap().len(), 2);

    let duplicate = store.insert_api_key(&key("ptc_cccc", 2)).await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );
}

async fn customer_upsert_creates_once_then_updates_in_place(db: TestStore) {
    let store = db.store.as_ref();
    let org_id = org(store, "Vendor").await;
    let (first, outcome) = store
        .upsert_customer(
            &org_id,
            "cus_1",
            &customer_input("Ada GmbH"),
            at(2026, 1, 1),
        )
        .await
        .unwrap();
    assert_eq!(outcome, Upserted::Created);
    assert_eq!(first.external_id, "cus_1");
    assert_eq!(first.address.city.as_deref(), Some("Berlin"));

    let mut changed = customer_input("Ada AG");
    changed.email = None;
    let (second, outcome) = store
        .upsert_customer(&org_id, "cus_1", &changed, at(2026, 1, 5))
        .await
        .unwrap();
    assert_eq!(outcome, Upserted::Updated);
    assert_eq!(second.id, first.id, "an update keeps Portico's id");
    assert_eq!(second.name, "Ada AG");
    assert_eq!(second.email, None);
    assert_eq!(second.created_at, at(2026, 1, 1));
    assert_eq!(second.updated_at, at(2026, 1, 5));

    let by_id = store
        .find_customer(&org_id, &first.id)
        .await
        .unwrap()
        .unwrap();
    let by_external = store
        .find_customer(&org_id, "cus_1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_id, second);
    assert_eq!(by_external, second);
    assert_eq!(
        store.list_customers(&org_id, None, 10).await.unwrap(),
        vec![second]
    );
}

async fn customers_of_one_organisation_are_invisible_to_another(db: TestStore) {
    let store = db.store.as_ref();
    let a = org(store, "A").await;
    let b = org(store, "B").await;
    let in_a = customer(store, &a, "cus_same").await;
    // The same vendor id in another organisation is another customer.
    let in_b = customer(store, &b, "cus_same").await;
    assert_ne!(in_a, in_b);

    assert!(store.get_customer(&b, &in_a).await.unwrap().is_none());
    assert!(store.find_customer(&b, &in_a).await.unwrap().is_none());
    let invoice = store
        .upsert_invoice(
            &a,
            "inv_1",
            &in_a,
            &invoice_input("cus_same", "A-1", 3, 1),
            at(2026, 1, 3),
        )
        .await
        .unwrap()
        .0;
    assert!(store.get_invoice(&b, &invoice.id).await.unwrap().is_none());
    assert!(store.find_invoice(&b, "inv_1").await.unwrap().is_none());
    assert!(store
        .list_invoices(&b, &in_a, true, None, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.list_customers(&b, None, 10).await.unwrap().len(), 1);
}

async fn text_and_money_round_trip_exactly(db: TestStore) {
    let store = db.store.as_ref();
    let org_id = org(store, "Vendor").await;
    let mut input = customer_input("Zoë «Ünïcødé» 株式会社 <script>alert(1)</script> 👩‍💻");
    input.address.line1 = Some("Straße 1\nHinterhaus".into());
    let (saved, _) = store
        .upsert_customer(&org_id, "cus_ü", &input, at(2026, 1, 1))
        .await
        .unwrap();
    assert_eq!(saved.name, input.name);
    assert_eq!(saved.address, input.address);
    assert_eq!(saved.external_id, "cus_ü");

    // The largest amounts a vendor can send survive without rounding.
    let mut invoice = invoice_input("cus_ü", "Nº 1", 2, 0);
    invoice.total = i64::MAX;
    invoice.amount_due = i64::MAX - 1;
    invoice.currency = "JPY".into();
    let (saved, _) = store
        .upsert_invoice(&org_id, "inv_big", &saved.id, &invoice, at(2026, 1, 2))
        .await
        .unwrap();
    let read = store
        .get_invoice(&org_id, &saved.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.total, i64::MAX);
    assert_eq!(read.amount_due, i64::MAX - 1);
    assert_eq!(read.number, "Nº 1");
    assert_eq!(read.due_date, NaiveDate::from_ymd_opt(2026, 2, 1));
    assert_eq!(read.issued_at, at(2026, 1, 2));
}

async fn invoice_lines_are_replaced_on_update_and_read_in_order(db: TestStore) {
    let store = db.store.as_ref();
    let org_id = org(store, "Vendor").await;
    let cus = customer(store, &org_id, "cus_1").await;
    let (created, outcome) = store
        .upsert_invoice(
            &org_id,
            "inv_1",
            &cus,
            &invoice_input("cus_1", "A-1", 3, 12),
            at(2026, 1, 3),
        )
        .await
        .unwrap();
    assert_eq!(outcome, Upserted::Created);
    let read = store
        .get_invoice(&org_id, &created.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.lines.len(), 12);
    let descriptions: Vec<_> = read.lines.iter().map(|l| l.description.clone()).collect();
    let expected: Vec<_> = (0..12).map(|i| format!("Line {i}")).collect();
    assert_eq!(descriptions, expected, "lines come back in the order sent");

    let mut update = invoice_input("cus_1", "A-1", 3, 2);
    update.status = InvoiceStatus::Paid;
    update.amount_due = 0;
    let (updated, outcome) = store
        .upsert_invoice(&org_id, "inv_1", &cus, &update, at(2026, 1, 9))
        .await
        .unwrap();
    assert_eq!(outcome, Upserted::Updated);
    assert_eq!(updated.id, created.id);
    let read = store
        .get_invoice(&org_id, &created.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.lines, update.lines);
    assert_eq!(read.status, InvoiceStatus::Paid);
    assert_eq!(
        store.find_invoice(&org_id, "inv_1").await.unwrap().unwrap(),
        read
    );
}

async fn invoices_page_newest_first_without_gaps_or_repeats(db: TestStore) {
    let store = db.store.as_ref();
    let org_id = org(store, "Vendor").await;
    let cus = customer(store, &org_id, "cus_1").await;
    // 25 invoices over 5 days: five share each instant, so the id must break ties.
    for n in 0..25u32 {
        let input = invoice_input("cus_1", &format!("A-{n}"), 1 + n % 5, 1);
        store
            .upsert_invoice(&org_id, &format!("inv_{n}"), &cus, &input, at(2026, 1, 1))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let page = store
            .list_invoices(&org_id, &cus, true, cursor.as_ref(), 7)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 7);
        let last = page.last().unwrap();
        cursor = Some(Cursor {
            at: last.issued_at,
            id: last.id.clone(),
        });
        seen.extend(page);
    }
    assert_eq!(seen.len(), 25);
    let mut ids: Vec<_> = seen.iter().map(|i| i.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25, "no invoice appears twice");
    assert!(
        seen.windows(2)
            .all(|w| (w[0].issued_at, &w[0].id) > (w[1].issued_at, &w[1].id)),
        "strictly newest first"
    );
    assert!(
        seen.iter().all(|i| i.lines.is_empty()),
        "lists leave lines out"
    );
}

async fn payments_credit_notes_and_subscriptions_round_trip(db: TestStore) {
    let store = db.store.as_ref();
    let org_id = org(store, "Vendor").await;
    let cus = customer(store, &org_id, "cus_1").await;
    let (inv, _) = store
        .upsert_invoice(
            &org_id,
            "inv_1",
            &cus,
            &invoice_input("cus_1", "A-1", 3, 1),
            at(2026, 1, 3),
        )
        .await
        .unwrap();

    for (n, kind, day) in [(1, PaymentKind::Payment, 4), (2, PaymentKind::Refund, 6)] {
        let input = PaymentInput {
            customer_id: "cus_1".into(),
            invoice_id: Some("inv_1".into()),
            kind,
            status: PaymentStatus::Succeeded,
            method: "Visa •••• 4242".into(),
            currency: "EUR".into(),
            amount: 1_000,
            paid_at: at(2026, 1, day),
        };
        store
            .upsert_payment(
                &org_id,
                &format!("pay_{n}"),
                &cus,
                Some(&inv.id),
                &input,
                at(2026, 1, day),
            )
            .await
            .unwrap();
    }
    let payments = store.list_payments(&org_id, &cus, None, 10).await.unwrap();
    assert_eq!(payments.len(), 2);
    assert_eq!(payments[0].kind, PaymentKind::Refund, "newest first");
    assert_eq!(payments[1].invoice_id.as_deref(), Some(inv.id.as_str()));
    let older = store
        .list_payments(
            &org_id,
            &cus,
            Some(&Cursor {
                at: payments[0].paid_at,
                id: payments[0].id.clone(),
            }),
            10,
        )
        .await
        .unwrap();
    assert_eq!(older, payments[1..]);

    let note = CreditNoteInput {
        customer_id: "cus_1".into(),
        invoice_id: Some("inv_1".into()),
        number: "CN-1".into(),
        status: CreditNoteStatus::Issued,
        currency: "EUR".into(),
        total: 1_000,
        reason: Some("Goodwill".into()),
        issued_at: at(2026, 1, 6),
    };
    store
        .upsert_credit_note(&org_id, "cn_1", &cus, Some(&inv.id), &note, at(2026, 1, 6))
        .await
        .unwrap();
    let notes = store.list_credit_notes(&org_id, &cus).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].reason.as_deref(), Some("Goodwill"));

    let sub = SubscriptionInput {
        customer_id: "cus_1".into(),
        plan: "Pro".into(),
        plan_id: None,
        status: SubscriptionStatus::Active,
        currency: "EUR".into(),
        amount: 4_900,
        interval: BillingInterval::Month,
        current_period_start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        current_period_end: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
        renews_at: NaiveDate::from_ymd_opt(2026, 2, 1),
        cancel_at_period_end: true,
        cancelled_at: Some(at(2026, 1, 20)),
    };
    store
        .upsert_subscription(&org_id, "sub_1", &cus, &sub, at(2026, 1, 1))
        .await
        .unwrap();
    let subs = store.list_subscriptions(&org_id, &cus).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert!(subs[0].cancel_at_period_end);
    assert_eq!(subs[0].cancelled_at, Some(at(2026, 1, 20)));
    assert_eq!(subs[0].interval, BillingInterval::Month);

    let ent = EntitlementInput {
        customer_id: "cus_1".into(),
        feature: "API calls".into(),
        limit: None,
        usage: 12,
        unit: "calls".into(),
        valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        valid_until: None,
        usage_series: Vec::new(),
    };
    store
        .upsert_entitlement(&org_id, "ent_1", &cus, &ent, at(2026, 1, 1))
        .await
        .unwrap();
    let ents = store.list_entitlements(&org_id, &cus).await.unwrap();
    assert_eq!(ents[0].limit, None, "no limit means unlimited, not zero");
    assert_eq!(ents[0].usage, 12);
}

async fn only_one_payment_method_is_default(db: TestStore) {
    let store = db.store.as_ref();
    let org_id = org(store, "Vendor").await;
    let cus = customer(store, &org_id, "cus_1").await;
    let other = customer(store, &org_id, "cus_2").await;
    let card = |last4: &str, is_default: bool| PaymentMethodInput {
        customer_id: "x".into(),
        kind: PaymentMethodKind::Card,
        brand: Some("visa".into()),
        last4: Some(last4.into()),
        exp_month: Some(12),
        exp_year: Some(2030),
        is_default,
    };
    store
        .upsert_payment_method(&org_id, "pm_1", &cus, &card("1111", true), at(2026, 1, 1))
        .await
        .unwrap();
    store
        .upsert_payment_method(&org_id, "pm_x", &other, &card("9999", true), at(2026, 1, 1))
        .await
        .unwrap();
    store
        .upsert_payment_method(&org_id, "pm_2", &cus, &card("2222", true), at(2026, 1, 2))
        .await
        .unwrap();

    let methods = store.list_payment_methods(&org_id, &cus).await.unwrap();
    let defaults: Vec<_> = methods
        .iter()
        .filter(|m| m.is_default)
        .map(|m| m.last4.clone().unwrap())
        .collect();
    assert_eq!(defaults, vec!["2222".to_owned()]);
    assert_eq!(
        methods[0].last4.as_deref(),
        Some("2222"),
        "the default is listed first"
    );
    let others = store.list_payment_methods(&org_id, &other).await.unwrap();
    assert!(
        others[0].is_default,
        "another customer's default is untouched"
    );
}

async fn concurrent_upserts_of_one_id_make_one_record(db: TestStore) {
    let store = db.store.clone();
    let org_id = org(store.as_ref(), "Vendor").await;
    let mut tasks = Vec::new();
    for n in 0..16 {
        let store = store.clone();
        let org_id = org_id.clone();
        tasks.push(tokio::spawn(async move {
            store
                .upsert_customer(
                    &org_id,
                    "cus_race",
                    &customer_input(&format!("Writer {n}")),
                    at(2026, 1, 1),
                )
                .await
        }));
    }
    let mut created = 0;
    for task in tasks {
        let (_, outcome) = task
            .await
            .unwrap()
            .expect("no upsert fails under contention");
        if outcome == Upserted::Created {
            created += 1;
        }
    }
    assert_eq!(created, 1);
    assert_eq!(
        store
            .list_customers(&org_id, None, 100)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn record_counts_count_per_organisation(db: TestStore) {
    let store = db.store.as_ref();
    let org_id = org(store, "Vendor").await;
    let other = org(store, "Other").await;
    let cus = customer(store, &org_id, "cus_1").await;
    customer(store, &other, "cus_1").await;
    store
        .upsert_invoice(
            &org_id,
            "inv_1",
            &cus,
            &invoice_input("cus_1", "A-1", 3, 3),
            at(2026, 1, 3),
        )
        .await
        .unwrap();
    let counts = store.record_counts(&org_id).await.unwrap();
    assert_eq!(counts.customers, 1);
    assert_eq!(counts.invoices, 1);
    assert_eq!(counts.invoice_lines, 3);
    assert_eq!(counts.payments, 0);
}
