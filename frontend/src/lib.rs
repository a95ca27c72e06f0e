//! The browser entry point. Pages are rendered on the server; only the islands (the forms and the
//! user menu) hydrate, so this crate is little more than the call that wakes them.

// Linking `app` is what brings the islands' exported hydration functions into the bundle.
pub use app::islands;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // A server function that succeeds with a redirect (after login, signup, logout) tells the
    // page where to go; there is no client-side router, so the browser loads that page.
    _ = leptos::server_fn::redirect::set_redirect_hook(|location: &str| {
        _ = leptos::prelude::window().location().set_href(location);
    });
    leptos::mount::hydrate_islands();
}
