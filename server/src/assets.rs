//! The site's static files: the WASM bundle, its JavaScript loader and the stylesheet under
//! `/pkg/`, and the files of `public/` (the favicon) at the root.
//!
//! cargo-leptos builds them into the site root. With `hash-files` it names every file under
//! `/pkg/` after a hash of its content and writes the hashes to `hash.txt` beside the server
//! binary, where Leptos looks for them when it renders the `<script>` and `<link>` tags; with
//! `--precompress` it writes a brotli (`.br`) and a gzip (`.gz`) copy beside each file. So a name
//! under `/pkg/` never changes content: those files are cached for a year as `immutable`, and a
//! browser that accepts brotli or gzip gets the copy made at build time, at no cost per request.

use std::path::{Path, PathBuf};

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::Response,
    routing::{MethodRouter, get_service},
};
use leptos::prelude::LeptosOptions;

/// Content-addressed names: a new build makes new names, so caches may keep these for good.
const HASHED_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
/// Names that a rebuild reuses (a build without `hash-files`): browsers check back every time,
/// and the answer is a cheap 304 when nothing changed.
const UNHASHED_CACHE_CONTROL: &str = "no-cache";

/// The built site: whether its `/pkg/` files carry content hashes in their names.
#[derive(Clone, Debug)]
pub struct Site {
    hashed: bool,
}

impl Site {
    /// The site under `root`, hashed when cargo-leptos's `hash.txt` is beside this binary.
    ///
    /// Warns (and still serves the pages, unstyled and without scripts) when the bundle is
    /// missing, so an API-only deployment or a test without a built site starts anyway.
    pub fn locate(root: &Path, output_name: &str) -> Self {
        let hashes = hash_file().and_then(|path| std::fs::read_to_string(path).ok());
        let wasm_name = match hashes.as_deref().and_then(|hashes| hash_of(hashes, "wasm")) {
            Some(hash) => format!("{output_name}.{hash}.wasm"),
            None => format!("{output_name}.wasm"),
        };
        let bundle = root.join("pkg").join(&wasm_name);
        if !bundle.is_file() {
            tracing::warn!(
                "no {}: pages will have no styles or scripts until `cargo leptos build --release \
                 --precompress` builds the site (scripts/run.sh does), with the hash.txt it writes \
                 beside this binary",
                bundle.display()
            );
        }
        Self { hashed: hashes.is_some() }
    }

    /// Whether Leptos should look up hashed names in `hash.txt` when it renders a page.
    pub fn hashed(&self) -> bool {
        self.hashed
    }

    /// The route for the files under `/pkg/` (at `/pkg/{*file}`): precompressed copies when the
    /// browser accepts them, cached for good when the names are hashed.
    pub fn pkg_route<S: Clone + Send + Sync + 'static>(&self, options: &LeptosOptions) -> MethodRouter<S> {
        // leptos_axum's ServeDir over the site root, with the precompressed copies.
        let files = leptos_axum::site_pkg_dir_service(options);
        get_service(files).layer(middleware::map_response_with_state(self.hashed, cache_headers))
    }
}

/// Caching for a file of `/pkg/`; an error (a name this replica does not have, perhaps one
/// from a build it has not got yet) is not cached at all.
async fn cache_headers(State(hashed): State<bool>, mut response: Response) -> Response {
    let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
    let cache_control = match (found, hashed) {
        (true, true) => HASHED_CACHE_CONTROL,
        (true, false) => UNHASHED_CACHE_CONTROL,
        (false, _) => "no-store",
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    // One name, several bodies (brotli, gzip, plain): a shared cache must key on the header
    // that chose between them, and ServeDir does not say so itself.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// `hash.txt` beside the running binary: where cargo-leptos writes it and Leptos reads it.
fn hash_file() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("hash.txt");
    path.is_file().then_some(path)
}

/// The hash of `kind` (`wasm`, `js`, `css`) in the lines `kind: hash` of cargo-leptos's hash file.
fn hash_of<'a>(hashes: &'a str, kind: &str) -> Option<&'a str> {
    hashes.lines().find_map(|line| {
        let (file, hash) = line.split_once(':')?;
        (file.trim() == kind).then(|| hash.trim())
    })
}

#[cfg(test)]
mod tests {
    use super::hash_of;

    #[test]
    fn finds_each_kind_in_a_hash_file() {
        let hashes = "js: AbC-12_x\nwasm: QQ\ncss: zz\n";
        assert_eq!(hash_of(hashes, "js"), Some("AbC-12_x"));
        assert_eq!(hash_of(hashes, "wasm"), Some("QQ"));
        assert_eq!(hash_of(hashes, "css"), Some("zz"));
        assert_eq!(hash_of(hashes, "manifest"), None);
    }
}
