//! Finding accounts to add to a group, with results as the admin types. Without JavaScript the
//! same form is a plain GET search that reloads the page with its results; hydrated, each pause in
//! typing asks the server (`find_members`) for the results' HTML and puts it in place. The
//! results are rendered on the server either way (`FoundAccounts`), which keeps this island small:
//! it carries no list rendering and no types of its own to decode.

use std::time::Duration;

use leptos::prelude::*;

use super::hydration_marker;
use crate::server_fns::find_members;

/// How long typing must pause before a search is sent.
const PAUSE: Duration = Duration::from_millis(250);

/// The search box of a group page's Add member section, and its results (`results_html`, as the
/// server rendered them for the search the page was asked for).
#[island]
pub fn MemberSearch(group_id: i64, search: String, results_html: String) -> impl IntoView {
    let hydrated = hydration_marker();
    let results = RwSignal::new(results_html);
    // Answers may come back out of order: only the latest search's is shown.
    let latest = StoredValue::new(0_u32);
    let waiting = StoredValue::new(None::<TimeoutHandle>);
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Some(handle) = waiting.get_value() {
            handle.clear();
        }
        let search_number = latest.get_value().wrapping_add(1);
        latest.set_value(search_number);
        let send = move || {
            leptos::task::spawn_local(async move {
                let answer = find_members(group_id, text).await;
                if latest.get_value() == search_number {
                    results.set(answer.unwrap_or_else(|error| {
                        format!(
                            "<p class=\"notice notice-error\" role=\"alert\">{}</p>",
                            html_escape(&error.to_string())
                        )
                    }));
                }
            });
        };
        waiting.set_value(set_timeout_with_handle(send, PAUSE).ok());
    };
    view! {
        <form class="search" method="get" action=format!("/groups/{group_id}#add-member") role="search"
            aria-labelledby="add-member" data-hydrated=hydrated>
            <label for="member-search">"Search user"</label>
            <div class="search-row">
                <input id="member-search" name="find" type="search" value=search autocomplete="off"
                    maxlength=crate::domain::MAX_SEARCH_CHARS.to_string()
                    aria-describedby="member-search-help" aria-controls="member-results" on:input=on_input/>
                <button class="button button-primary" type="submit">"Search"</button>
            </div>
            <p class="hint" id="member-search-help">
                "The start of a username, or the users directory's search, e.g. " <code>"email:*@example.org"</code> "."
            </p>
        </form>
        <div id="member-results" inner_html=move || results.get()></div>
    }
}

/// Text made safe to put in HTML (an error's message, in the browser).
fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
