//! Static files and compression: the content-named bundle cached for a year and served
//! precompressed as the client accepts, pages and JSON compressed on the fly and never
//! cached, and a missing asset a plain 404.

use std::io::Read;
use std::path::Path;

use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};

use crate::helpers::{spawn_app_with, sqlite_store, TestApp};

const HASH: &str = "q1w2e3r4t5y6u7i8o9p0aZ";

/// A built site as cargo-leptos leaves it with `hash-files` and `--precompress`: each
/// file beside its brotli and gzip copies, and `hash.txt` naming the hashes.
fn write_site(root: &Path) -> Vec<u8> {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    // Repetitive enough to compress well, large enough to be worth it.
    let wasm: Vec<u8> = (0..64 * 1024).map(|i| (i % 7) as u8).collect();
    for (ext, body) in [
        ("wasm", wasm.clone()),
        ("js", b"export default function(){}".repeat(64)),
        ("css", b"body{margin:0}".repeat(64)),
    ] {
        let name = pkg.join(format!("portico.{HASH}.{ext}"));
        std::fs::write(&name, &body).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &body).unwrap();
        std::fs::write(format!("{}.gz", name.display()), gz.finish().unwrap()).unwrap();
        let mut br = Vec::new();
        brotli::BrotliCompress(
            &mut body.as_slice(),
            &mut br,
            &brotli::enc::BrotliEncoderParams::default(),
        )
        .unwrap();
        std::fs::write(format!("{}.br", name.display()), br).unwrap();
    }
    std::fs::write(
        root.join("hash.txt"),
        format!("js: {HASH}\nwasm: {HASH}\ncss: {HASH}\n"),
    )
    .unwrap();
    std::fs::write(root.join("embed.js"), "window.Portico = {};\n".repeat(100)).unwrap();
    wasm
}

async fn app_with_site() -> (TestApp, tempfile::TempDir, Vec<u8>) {
    let site = tempfile::tempdir().unwrap();
    let wasm = write_site(site.path());
    let app = spawn_app_with(
        sqlite_store().await,
        &[("PORTICO_SITE_ROOT", site.path().to_str().unwrap())],
    )
    .await;
    (app, site, wasm)
}

fn wasm_path() -> String {
    format!("/pkg/portico.{HASH}.wasm")
}

/// A client that leaves the bytes as they arrive (reqwest has no decoders enabled here).
async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if let Some(accept) = accept {
        request = request.header(ACCEPT_ENCODING, accept);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn pages_name_the_content_hashed_bundle() {
    let (app, _site, _) = app_with_site().await;
    let html = get(&app, "/", None).await.text().await.unwrap();
    for ext in ["js", "wasm", "css"] {
        assert!(
            html.contains(&format!("/pkg/portico.{HASH}.{ext}")),
            "{ext} is referenced by its hashed name: {html}"
        );
    }
    assert!(!html.contains("/pkg/portico.js"), "{html}");
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_precompressed_by_accept_encoding() {
    let (app, _site, wasm) = app_with_site().await;

    let br = get(&app, &wasm_path(), Some("gzip, deflate, br")).await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
    assert_eq!(
        br.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(br.headers()[VARY]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    assert_eq!(br.headers()["content-type"], "application/wasm");
    let compressed = br.bytes().await.unwrap();
    assert!(compressed.len() < wasm.len() / 10, "{}", compressed.len());
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut compressed.as_ref(), &mut decoded).unwrap();
    assert_eq!(decoded, wasm);

    let gz = get(&app, &wasm_path(), Some("gzip")).await;
    assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(gz.bytes().await.unwrap().as_ref())
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, wasm);
}

#[tokio::test]
async fn clients_that_refuse_encodings_get_identity_bytes() {
    let (app, _site, wasm) = app_with_site().await;
    for accept in [
        None,
        Some("identity"),
        Some("br;q=0, gzip;q=0"),
        Some("br;q=0"),
    ] {
        let response = get(&app, &wasm_path(), accept).await;
        assert_eq!(response.status(), 200, "{accept:?}");
        let encoding = response.headers().get(CONTENT_ENCODING).cloned();
        assert!(encoding.is_none(), "{accept:?} got {encoding:?}");
        assert_eq!(response.bytes().await.unwrap().as_ref(), wasm.as_slice());
    }
    // Refusing brotli leaves the other encodings the client lists.
    let gzip_only = get(&app, &wasm_path(), Some("br;q=0, gzip")).await;
    assert_eq!(gzip_only.headers()[CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn a_missing_asset_is_a_plain_404_not_the_page() {
    let (app, _site, _) = app_with_site().await;
    for path in [
        "/pkg/portico.AAAAAAAAAAAAAAAAAAAAAA.wasm",
        "/pkg/portico.js",
        "/pkg/nothing/here.css",
    ] {
        let response = get(&app, path, Some("br, gzip")).await;
        assert_eq!(response.status(), 404, "{path}");
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        assert!(
            !content_type.starts_with("text/html"),
            "{path}: {content_type}"
        );
        let body = response.text().await.unwrap();
        assert!(!body.contains("<html"), "{path}: {body}");
    }
}

#[tokio::test]
async fn root_files_are_cached_briefly_and_compressed() {
    let (app, _site, _) = app_with_site().await;
    let response = get(&app, "/embed.js", Some("br")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CACHE_CONTROL], "public, max-age=3600");
    assert_eq!(response.headers()[CONTENT_ENCODING], "br");
}

#[tokio::test]
async fn pages_and_json_are_compressed_on_the_fly_and_never_cached() {
    let (app, _site, _) = app_with_site().await;
    let page = get(&app, "/", Some("br")).await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()[CONTENT_ENCODING], "br");
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");

    let page = get(&app, "/", Some("gzip")).await;
    assert_eq!(page.headers()[CONTENT_ENCODING], "gzip");

    let plain = get(&app, "/", None).await;
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert!(plain.text().await.unwrap().starts_with("<!DOCTYPE html>"));

    // The OpenAPI document is large JSON; a small answer is not worth compressing.
    let json = get(&app, "/v1/openapi.json", Some("br")).await;
    assert_eq!(json.headers()[CONTENT_ENCODING], "br");
    assert_eq!(json.headers()[CACHE_CONTROL], "no-store");
    let small = get(&app, "/api/v1/health", Some("br")).await;
    assert!(small.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(small.headers()[CACHE_CONTROL], "no-store");
}

/// The strings element of a page, as the browser reads it.
fn page_strings(html: &str) -> serde_json::Value {
    let start = html
        .find(r#"id="portico-strings">"#)
        .expect("the page carries its strings")
        + r#"id="portico-strings">"#.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// A page carries its own language's strings; another language is a file of this build's
/// strings, cached for good and compressed, and any other version or language is a 404.
#[tokio::test]
async fn a_page_carries_its_strings_and_other_languages_are_fetched() {
    let (app, _site, _) = app_with_site().await;
    let html = get(&app, "/?lang=sv", None).await.text().await.unwrap();
    assert!(html.contains(r#"<html lang="sv""#));
    let sv = page_strings(&html);
    assert_eq!(sv["locale"], "sv");
    let strings = sv["strings"].as_array().unwrap();
    assert!(strings.iter().any(|s| s == "Din faktureringsportal"));

    let version = sv["version"].as_str().unwrap();
    let german = get(&app, &format!("/i18n/{version}/de.json"), Some("br")).await;
    assert_eq!(german.status(), 200);
    assert_eq!(
        german.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(german.headers()[CONTENT_ENCODING], "br");
    assert!(german.headers()[VARY]
        .to_str()
        .unwrap()
        .contains("accept-encoding"));
    let mut body = Vec::new();
    brotli::Decompressor::new(german.bytes().await.unwrap().as_ref(), 4096)
        .read_to_end(&mut body)
        .unwrap();
    let de: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(de["locale"], "de");
    assert_eq!(de["version"], version);
    assert_eq!(de["strings"].as_array().unwrap().len(), strings.len());
    assert!(de["strings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "Ihr Kundenportal"));

    for path in [
        "/i18n/0000000000000000/de.json".to_owned(),
        format!("/i18n/{version}/da.json"),
        format!("/i18n/{version}/de-AT.json"),
        format!("/i18n/{version}/de"),
        format!("/i18n/{version}/../de.json"),
    ] {
        let response = get(&app, &path, None).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store", "{path}");
    }
}
