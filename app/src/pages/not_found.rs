//! Any address no route matches: a 404 page.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="card" aria-labelledby="not-found-heading">
            <h1 id="not-found-heading">"Page not found"</h1>
            <p class="card-lead">"There is nothing at this address."</p>
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}
