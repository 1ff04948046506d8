//! A portal link's page as a browser opens it: the GET leaves the link unused and posts
//! it back; the POST exchanges it and answers the landing tab with its first rows.

use serde_json::{json, Value};

use crate::helpers::{
    assert_retry_within_a_minute, spawn_app, spawn_app_with, TestApp, TestStore, Vendor,
};
use crate::on_both_backends;
use crate::portal::{invoice, payment};

on_both_backends!(
    the_get_leaves_the_link_unused_and_posts_it_back,
    the_post_renders_the_first_invoices_of_the_links_customer_only,
    a_used_or_unknown_link_posted_says_why,
    with_scripts_a_link_opens_on_its_landing_tab_for_the_app_to_take_over,
    without_scripts_a_link_opens_on_its_landing_tab_whichever_it_is,
    posted_links_count_as_exchanges,
);

impl TestApp {
    /// A new link for `cus_1` with `extra` options: its path.
    async fn link_path(&self, vendor: &Vendor, extra: Value) -> String {
        let mut body = json!({"external_id": "cus_1", "return_url": "https://vendor.example/"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let response = self.post_json("/v1/portal_sessions", &body, vendor).await;
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        format!(
            "/session/{}",
            Self::token_of(created["url"].as_str().unwrap())
        )
    }

    /// The link page's POST, as its form sends it: status, headers and HTML.
    async fn post_link(&self, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
        self.post_link_as(path, ("content-type", "application/x-www-form-urlencoded"))
            .await
    }

    /// The link page's POST with one header of its own.
    async fn post_link_as(
        &self,
        path: &str,
        (name, value): (&str, &str),
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(name, value)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }
}

/// The answers a page carries, as its JSON element holds them.
fn answers(html: &str) -> Value {
    let start = html
        .find(r#"id="portico-answers">"#)
        .expect("the page carries its answers")
        + r#"id="portico-answers">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The answer to `request` among a page's answers.
fn answer<'a>(answers: &'a Value, request: &str) -> Option<&'a Value> {
    answers["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["request"] == request)
}

async fn the_get_leaves_the_link_unused_and_posts_it_back(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let path = app.link_path(&vendor, json!({"section": "invoices"})).await;
    // A preview bot, a mail scanner and the customer's own browser all GET it.
    for _ in 0..3 {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(policy.contains("form-action 'self'"), "{policy}");
        let html = response.text().await.unwrap();
        // The portal's skeleton, whose first script posts the link (the button does it
        // without scripts); nothing of the customer's yet.
        assert!(
            html.contains(r#"<div class="skeleton skeleton-block"></div>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<noscript><form method="post" class="open-link"><button class="button primary">Open your billing portal"#),
            "{html}"
        );
        assert!(!html.contains(r#"id="portico-answers""#), "{html}");
        // Nor any of the app's files: they would share a phone's connection with the
        // link's answer, which names them. The app's loader waits for that answer.
        assert!(!html.contains(r#"<link rel="preload""#), "{html}");
        assert!(!html.contains(r#"<link rel="modulepreload""#), "{html}");
        assert!(
            html.contains(
                r#"Promise.resolve(window.__porticoOpening).then(()=>import("/pkg/portico.js"))"#
            ),
            "{html}"
        );
    }
    let (status, _, html) = app.post_link(&path).await;
    assert_eq!(status, 200, "{html}");
    assert!(answer(&answers(&html), "POST /api/v1/session/exchange").unwrap()["status"] == 200);
    assert!(!html.contains("<noscript>"), "{html}");
}

async fn the_post_renders_the_first_invoices_of_the_links_customer_only(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    app.vendor_put(
        &vendor,
        "/v1/customers/cus_1",
        json!({"name": "<img src=x onerror=alert(1)> Zoë & Co"}),
    )
    .await;
    for i in 1..=30u32 {
        let body = invoice(
            "cus_1",
            &format!("INV-{i:02}"),
            "open",
            1000 * i64::from(i),
            i.min(28),
        );
        app.vendor_put(&vendor, &format!("/v1/invoices/a{i}"), body)
            .await;
    }
    let new_invoice = invoice("cus_2", "OTHER-1", "open", 5, 1);
    app.vendor_put(&vendor, "/v1/invoices/b1", new_invoice)
        .await;
    let path = app
        .link_path(&vendor, json!({"section": "invoices", "locale": "de"}))
        .await;

    let (status, headers, html) = app.post_link(&path).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(html.contains(r#"<html lang="de""#), "{html}");
    // The tab itself, with its first page of rows (10, newest first), in German.
    let rows = html.matches(r#"<th scope="row""#).count();
    assert_eq!(rows, 10, "{html}");
    assert!(html.contains(">INV-30<") && html.contains(">INV-21<") && !html.contains(">INV-20<"));
    assert!(html.contains("Rechnungen"), "{html}");
    assert!(!html.contains("OTHER-1"), "another customer's invoice");
    // The customer's name is text, in the page and in its data.
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt; Zoë &amp; Co"),
        "{html}"
    );

    // What the link page's own script asks for: the body, the answers and no head of
    // the page's own (no strings, branding or scripts it already has).
    let path2 = app
        .link_path(&vendor, json!({"section": "invoices", "locale": "de"}))
        .await;
    let (status, _, part) = app.post_link_as(&path2, ("x-portico-part", "body")).await;
    assert_eq!(status, 200);
    assert!(
        part.starts_with(r#"<!DOCTYPE html><html lang="de"><head>"#) && part.contains("<title>"),
        "{part}"
    );
    assert_eq!(part.matches(r#"<th scope="row""#).count(), 10, "{part}");
    assert_eq!(answers(&part)["at_landing"], true);
    // The app's files, for the script to fetch now.
    for hint in [
        r#"<link rel="modulepreload" href="/pkg/portico.js">"#,
        r#"<link rel="preload" href="/pkg/portico.wasm" as="fetch" type="application/wasm" crossorigin="">"#,
    ] {
        assert!(part.contains(hint), "{hint} in {part}");
    }
    for absent in [
        "portico-strings",
        "portico-branding",
        "<script nonce",
        "stylesheet",
    ] {
        assert!(!part.contains(absent), "{absent} in {part}");
    }
    assert!(
        part.len() < html.len() * 2 / 3,
        "{} of {}",
        part.len(),
        html.len()
    );

    let page = answers(&html);
    assert_eq!(page["at_landing"], true);
    let exchanged = answer(&page, "POST /api/v1/session/exchange").unwrap();
    let opened: Value = serde_json::from_str(exchanged["body"].as_str().unwrap()).unwrap();
    let token = opened["session_token"].as_str().unwrap();
    assert_eq!(page["token"], token);
    assert_eq!(
        opened["landing_path"],
        format!("/portal/{}/invoices", vendor.organisation)
    );
    let list = answer(&page, "GET /api/v1/portal/invoices?limit=10").unwrap();
    assert_eq!(list["status"], 200);
    let list: Value = serde_json::from_str(list["body"].as_str().unwrap()).unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 10);
    // The session the page came with is a live one; the rest of the list is the app's.
    let next = list["next_cursor"].as_str().unwrap();
    let more = app
        .portal_get(
            &format!("/api/v1/portal/invoices?limit=10&cursor={next}"),
            token,
        )
        .await;
    assert_eq!(more.status(), 200);
    let more: Value = more.json().await.unwrap();
    assert_eq!(more["data"].as_array().unwrap().len(), 10);
}

async fn a_used_or_unknown_link_posted_says_why(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    let path = app.link_path(&vendor, json!({"section": "invoices"})).await;
    assert_eq!(app.post_link(&path).await.0, 200);
    for (path, code, status) in [
        (path.as_str(), "link_used", 410),
        ("/session/not-a-link", "link_invalid", 401),
    ] {
        let (got, _, html) = app.post_link(path).await;
        assert_eq!(got, status, "{path}");
        let page = answers(&html);
        assert_eq!(page["at_landing"], false);
        assert!(page["token"].is_null());
        let exchanged = answer(&page, "POST /api/v1/session/exchange").unwrap();
        assert_eq!(exchanged["status"], status);
        let error: Value = serde_json::from_str(exchanged["body"].as_str().unwrap()).unwrap();
        assert_eq!(error["error"]["code"], code, "{path}");
        assert_eq!(
            page["answers"].as_array().unwrap().len(),
            1,
            "no reads without a session"
        );
        // The page itself says why, before any script runs (and without scripts).
        says_why(&html, code);
    }
}

/// The rendered page shows the problem `code` in place of the portal's loading skeleton.
fn says_why(html: &str, code: &str) {
    let body = &html[html.find("<body").unwrap()..];
    assert!(
        body.contains(r#"role="alert""#) && body.contains(&format!(r#"data-code="{code}""#)),
        "{code} not shown in {body}"
    );
    assert!(!body.contains("aria-busy"), "still loading: {body}");
}

async fn with_scripts_a_link_opens_on_its_landing_tab_for_the_app_to_take_over(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    app.vendor_put(&vendor, "/v1/payments/pay_1", payment("cus_1", 4200, 5))
        .await;
    // The link page's script asks for the part it lacks: the page is the landing tab,
    // rendered from the reads, for the app to take over once its code is in.
    for (extra, shown, reads) in [
        (
            json!({}),
            "Balance due",
            &["GET /api/v1/portal/session", "GET /api/v1/portal/overview"][..],
        ),
        (
            json!({"section": "payments"}),
            "€42.00",
            &[
                "GET /api/v1/portal/session",
                "GET /api/v1/portal/payments?limit=10",
                "GET /api/v1/portal/credits",
            ][..],
        ),
        // The form the app will run, filled in: the same as its own first render.
        (
            json!({"section": "profile"}),
            r#"value="Vendor customer cus_1""#,
            &["GET /api/v1/portal/session", "GET /api/v1/portal/profile"][..],
        ),
    ] {
        let path = app.link_path(&vendor, extra.clone()).await;
        let (status, _, html) = app.post_link_as(&path, ("x-portico-part", "body")).await;
        assert_eq!(status, 200, "{extra}");
        let page = answers(&html);
        assert_eq!(page["at_landing"], true, "{extra}");
        assert_eq!(page["scripted"], true, "{extra}");
        let token = page["token"].as_str().unwrap().to_owned();
        for read in reads {
            let answer = answer(&page, read).unwrap_or_else(|| panic!("{read} in {page}"));
            assert_eq!(answer["status"], 200, "{read}");
        }
        let body = &html[html.find("<body").unwrap()..];
        assert!(body.contains(shown), "{shown} not in {body}");
        assert!(!body.contains(r#"aria-busy="true""#), "{extra}: {body}");
        let session = app.portal_get("/api/v1/portal/session", &token).await;
        assert_eq!(session.status(), 200);
    }
}

async fn without_scripts_a_link_opens_on_its_landing_tab_whichever_it_is(db: TestStore) {
    let app = spawn_app(db).await;
    let vendor = app.vendor("Vendor").await;
    app.vendor_put(&vendor, "/v1/payments/pay_1", payment("cus_1", 4200, 5))
        .await;
    // The organisation's first section (the overview), a paged list, and the profile,
    // shown as text since it cannot be edited without scripts.
    for (extra, shown) in [
        (json!({}), "Balance due"),
        (json!({"section": "payments"}), "€42.00"),
        (json!({"section": "profile"}), "<dd>Vendor customer cus_1"),
    ] {
        let path = app.link_path(&vendor, extra.clone()).await;
        // The page's button posts the link as a form: no app will take over.
        let (status, _, html) = app.post_link(&path).await;
        assert_eq!(status, 200, "{extra}");
        assert_eq!(answers(&html)["at_landing"], true, "{extra}");
        let body = &html[html.find("<body").unwrap()..];
        assert!(body.contains(shown), "{shown} not in {body}");
        // Rendered from the answers: nothing is left loading.
        assert!(!body.contains(r#"aria-busy="true""#), "{extra}: {body}");
        assert!(!body.contains("skeleton"), "{extra}: {body}");
        assert!(html.contains("__INCOMPLETE_CHUNKS=[]"), "{extra}");
        assert!(!body.contains("<input"), "{extra}: nothing to fill in");
    }
}

async fn posted_links_count_as_exchanges(db: TestStore) {
    let app = spawn_app_with(db, &[("PORTICO_EXCHANGE_LIMIT_PER_MINUTE", "2")]).await;
    for i in 0..2 {
        let (status, _, _) = app.post_link(&format!("/session/guess-{i}")).await;
        assert_eq!(status, 401, "guess {i}");
    }
    // Guessing by POST is held to the exchange's limit, and the page says when to retry.
    let (status, headers, html) = app.post_link("/session/guess-2").await;
    assert_eq!(status, 429);
    assert_retry_within_a_minute(&headers);
    let page = answers(&html);
    let exchanged = answer(&page, "POST /api/v1/session/exchange").unwrap();
    assert_eq!(exchanged["status"], 429);
    says_why(&html, "rate_limited");
    // An exchange through the API is counted with them.
    assert_eq!(app.exchange("guess-3").await.status(), 429);
}
