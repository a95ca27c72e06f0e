//! The browser entry point. Pages are rendered on the server; only the islands (the forms and the
//! user menu) hydrate, so this crate is nothing but the call that wakes them.

// Linking `app` is what brings the islands' exported hydration functions into the bundle.
pub use app::islands;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
