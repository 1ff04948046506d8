//! The browser bundle's addresses: `/pkg/portico.<hash>.{js,wasm,css}` when cargo-leptos
//! named the files by content (`hash-files`), `/pkg/portico.{js,wasm,css}` otherwise.
//!
//! The server reads cargo-leptos's `hash.txt` once at start and hands the result to every
//! page it renders, so no page render touches the file system.
//!
//! A build with `--split` adds the tabs' own WASM chunks, a loader that fetches them
//! (`/pkg/__wasm_split.<hash>.js`) and a manifest naming each lazy function's chunks;
//! pages then preload the chunks of the route they render.

use std::collections::HashMap;

/// The URL paths of the three files a page loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub js: String,
    pub wasm: String,
    pub css: String,
    /// The split build's chunk loader and manifest, when the build was split.
    pub split: Option<Split>,
}

/// What a split build adds to the bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Split {
    /// The loader's file name under `/pkg` (`__wasm_split.<hash>.js`).
    pub loader: String,
    /// The manifest's file name under `/pkg`: the server reads it, browsers never do.
    pub manifest: String,
    /// For each lazy function, the chunks (file stems under `/pkg`) it needs.
    pub chunks: HashMap<String, Vec<String>>,
}

impl Split {
    /// The manifest's JSON (`{"<lazy fn>": ["<chunk stem>", …]}`) read into `chunks`. Stems
    /// that are not plain file names are dropped, so a page never links outside `/pkg`.
    pub fn read_manifest(&mut self, json: &str) -> Result<(), serde_json::Error> {
        let chunks: HashMap<String, Vec<String>> = serde_json::from_str(json)?;
        self.chunks = chunks
            .into_iter()
            .map(|(name, stems)| {
                (
                    name,
                    stems.into_iter().filter(|s| is_file_part(s)).collect(),
                )
            })
            .collect();
        Ok(())
    }
}

/// A file name part of the bundle's own making: letters, digits, `-`, `_` and `.`, never
/// `..`.
fn is_file_part(text: &str) -> bool {
    !text.is_empty()
        && !text.contains("..")
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The name cargo-leptos gives the bundle (`output-name` in Cargo.toml).
const OUTPUT_NAME: &str = "portico";

impl Bundle {
    /// The file names of a build without content hashes (`cargo leptos watch` without
    /// hashing, or a test server with no built site).
    pub fn unhashed() -> Self {
        Self::named(None, None, None)
    }

    /// The file names that cargo-leptos's `hash.txt` (`js: <hash>` lines) describes. A
    /// file the text has no hash for keeps its plain name.
    pub fn from_hash_file(text: &str) -> Self {
        let mut hashes = [None, None, None, None, None];
        for line in text.lines() {
            let Some((kind, hash)) = line.split_once(':') else {
                continue;
            };
            let hash = hash.trim();
            let valid = !hash.is_empty()
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            let slot = match kind.trim() {
                "js" => 0,
                "wasm" => 1,
                "css" => 2,
                "split" => 3,
                "manifest" => 4,
                _ => continue,
            };
            if valid {
                hashes[slot] = Some(hash);
            }
        }
        let [js, wasm, css, loader, manifest] = hashes;
        let mut bundle = Self::named(js, wasm, css);
        if let (Some(loader), Some(manifest)) = (loader, manifest) {
            bundle.split = Some(Split {
                loader: format!("__wasm_split.{loader}.js"),
                manifest: format!("__wasm_split_manifest.{manifest}.json"),
                chunks: HashMap::new(),
            });
        }
        bundle
    }

    fn named(js: Option<&str>, wasm: Option<&str>, css: Option<&str>) -> Self {
        let path = |hash: Option<&str>, ext: &str| match hash {
            Some(hash) => format!("/pkg/{OUTPUT_NAME}.{hash}.{ext}"),
            None => format!("/pkg/{OUTPUT_NAME}.{ext}"),
        };
        Bundle {
            js: path(js, "js"),
            wasm: path(wasm, "wasm"),
            css: path(css, "css"),
            split: None,
        }
    }

    /// The addresses of the WASM chunks a lazily loaded route needs (its view and what it
    /// shares with other routes), for the page to preload; none for an unsplit build.
    /// Leptos names a route's view `__<route>_view_<number>` in the manifest.
    pub fn chunks_of(&self, route: &str) -> Vec<String> {
        self.chunks_named(&format!("__{route}_view_"))
    }

    /// The addresses of the WASM chunks of the whole app (`whole_app`, named
    /// `whole_app_<number>` in the manifest), which every page but a link's landing page
    /// on the invoice list needs at once.
    pub fn app_chunks(&self) -> Vec<String> {
        self.chunks_named("whole_app_")
    }

    /// [`Self::app_chunks`], then [`Self::chunks_of`] `route`, when there is one.
    pub fn page_chunks(&self, route: Option<&str>) -> Vec<String> {
        let mut chunks = self.app_chunks();
        for chunk in route.map(|route| self.chunks_of(route)).unwrap_or_default() {
            if !chunks.contains(&chunk) {
                chunks.push(chunk);
            }
        }
        chunks
    }

    /// The chunks of the split-out function whose manifest name is `prefix` and a number.
    fn chunks_named(&self, prefix: &str) -> Vec<String> {
        let Some(split) = &self.split else {
            return Vec::new();
        };
        split
            .chunks
            .iter()
            .find(|(name, _)| {
                name.strip_prefix(prefix)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(|(_, stems)| stems.iter().map(|s| format!("/pkg/{s}.wasm")).collect())
            .unwrap_or_default()
    }

    /// Whether the file names carry content hashes, so they can be cached for good.
    pub fn is_hashed(&self) -> bool {
        is_content_named(&self.wasm)
    }
}

/// Whether a file name carries a content hash between its stem and its extension, the way
/// cargo-leptos names files (`portico.<22 characters of base64url>.wasm`): such a file
/// never changes under its name.
pub fn is_content_named(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.split('.');
    let _stem = parts.next();
    let parts: Vec<&str> = parts.collect();
    // The hash is the second-to-last part; compressed copies add `.br` or `.gz`.
    let parts = match parts.last() {
        Some(&"br") | Some(&"gz") => &parts[..parts.len() - 1],
        _ => &parts[..],
    };
    parts.len() >= 2 && {
        let hash = parts[parts.len() - 2];
        hash.len() >= 16
            && hash
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_without_hashes() {
        let bundle = Bundle::unhashed();
        assert_eq!(bundle.js, "/pkg/portico.js");
        assert_eq!(bundle.wasm, "/pkg/portico.wasm");
        assert_eq!(bundle.css, "/pkg/portico.css");
        assert!(!bundle.is_hashed());
    }

    #[test]
    fn names_from_cargo_leptos_hash_file() {
        let bundle = Bundle::from_hash_file(
            "js: 4Tq0iX3cW8m_bA-1zYx9kQ\nwasm: aaaaBBBBccccDDDDeeeeFF\ncss: Zz09Zz09Zz09Zz09Zz09Zz\n",
        );
        assert_eq!(bundle.js, "/pkg/portico.4Tq0iX3cW8m_bA-1zYx9kQ.js");
        assert_eq!(bundle.wasm, "/pkg/portico.aaaaBBBBccccDDDDeeeeFF.wasm");
        assert_eq!(bundle.css, "/pkg/portico.Zz09Zz09Zz09Zz09Zz09Zz.css");
        assert!(bundle.is_hashed());
    }

    #[test]
    fn a_hash_that_is_not_a_file_name_part_is_ignored() {
        let bundle = Bundle::from_hash_file("js: ../../etc\nwasm:\ncss: a b\nsplit: x\n");
        assert_eq!(bundle, Bundle::unhashed());
    }

    #[test]
    fn a_split_build_names_its_loader_and_manifest() {
        let mut bundle = Bundle::from_hash_file(
            "js: 4Tq0iX3cW8m_bA-1zYx9kQ\nwasm: aaaaBBBBccccDDDDeeeeFF\ncss: Zz09Zz09Zz09Zz09Zz09Zz\n\
             manifest: MMMMmmmmMMMMmmmmMMMMmm\nsplit: SSSSssssSSSSssssSSSSss\n",
        );
        let split = bundle.split.as_mut().expect("a split build");
        assert_eq!(split.loader, "__wasm_split.SSSSssssSSSSssssSSSSss.js");
        assert_eq!(
            split.manifest,
            "__wasm_split_manifest.MMMMmmmmMMMMmmmmMMMMmm.json"
        );
        assert!(split.read_manifest("[1, 2]").is_err());
        split
            .read_manifest(
                r#"{"__payments_route_view_123": ["chunk_1.AAAAAAAAAAAAAAAAAAAAAA", "../../etc/passwd", ""],
                    "__payment_methods_route_view_456": ["split_pm.BBBBBBBBBBBBBBBBBBBBBB"]}"#,
            )
            .unwrap();
        assert_eq!(
            bundle.chunks_of("payments_route"),
            ["/pkg/chunk_1.AAAAAAAAAAAAAAAAAAAAAA.wasm"]
        );
        assert_eq!(
            bundle.chunks_of("payment_methods_route"),
            ["/pkg/split_pm.BBBBBBBBBBBBBBBBBBBBBB.wasm"]
        );
        assert!(bundle.chunks_of("payment").is_empty());
        assert!(Bundle::unhashed().chunks_of("payments_route").is_empty());
    }

    #[test]
    fn content_named_files() {
        assert!(is_content_named("/pkg/portico.aaaaBBBBccccDDDDeeeeFF.wasm"));
        assert!(is_content_named(
            "/pkg/portico.aaaaBBBBccccDDDDeeeeFF.wasm.br"
        ));
        assert!(is_content_named("portico.aaaaBBBBccccDDDDeeeeFF.css.gz"));
        assert!(!is_content_named("/pkg/portico.wasm"));
        assert!(!is_content_named("/pkg/portico.wasm.br"));
        assert!(!is_content_named("/embed.js"));
        assert!(!is_content_named("/pkg/portico.short.js"));
    }
}
