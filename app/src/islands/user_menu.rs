//! The user menu: the signed-in user's name in the top bar, opening onto their account page and
//! logging out.

use leptos::{html, prelude::*, server_fn::ServerFn};

use super::hydration_marker;
use crate::server_fns::LogOut;

/// The username in the top-right corner, and the menu it opens.
///
/// Follows the WAI-ARIA menu button pattern: `aria-expanded` on the button; Enter, Space or
/// Arrow Down open the menu and focus its first item; Escape closes it and returns focus to the
/// button, as does a click anywhere outside.
#[island]
pub fn UserMenu(username: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let container = NodeRef::<html::Div>::new();
    let button = NodeRef::<html::Button>::new();
    let account_item = NodeRef::<html::A>::new();
    let logout_item = NodeRef::<html::Button>::new();

    let open_menu = move || {
        open.set(true);
        // The item is hidden until the next render; focus it once it is visible.
        request_animation_frame(move || {
            if let Some(item) = account_item.get_untracked() {
                _ = item.focus();
            }
        });
    };
    let close_menu = move |return_focus: bool| {
        open.set(false);
        if return_focus && let Some(button) = button.get_untracked() {
            _ = button.focus();
        }
    };

    let outside_clicks = window_event_listener(leptos::ev::pointerdown, move |ev| {
        if !open.get_untracked() {
            return;
        }
        let target = ev.target().and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok());
        let inside = container.get_untracked().is_some_and(|c| c.contains(target.as_ref()));
        if !inside {
            close_menu(false);
        }
    });
    on_cleanup(move || outside_clicks.remove());

    let on_button_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if matches!(ev.key().as_str(), "Enter" | " " | "ArrowDown") {
            ev.prevent_default();
            open_menu();
        }
    };
    // Arrow keys, Home and End move between the two items, as in any menu.
    let focus_item = move |last: bool| {
        let target: Option<web_sys::HtmlElement> = if last {
            logout_item.get_untracked().map(Into::into)
        } else {
            account_item.get_untracked().map(Into::into)
        };
        if let Some(item) = target {
            _ = item.focus();
        }
    };
    let on_menu_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let on_last = logout_item
            .get_untracked()
            .zip(document().active_element())
            .is_some_and(|(item, active)| web_sys::Element::from(item) == active);
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                close_menu(true);
            }
            "ArrowDown" | "ArrowUp" => {
                ev.prevent_default();
                focus_item(!on_last);
            }
            "Home" | "End" => {
                ev.prevent_default();
                focus_item(ev.key() == "End");
            }
            "Tab" => close_menu(false),
            _ => {}
        }
    };
    let initial = username.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();

    view! {
        <div class="user-menu" node_ref=container data-island="" data-hydrated=hydration_marker()>
            <button
                id="user-menu-button"
                class="user-menu-button"
                type="button"
                aria-haspopup="menu"
                aria-controls="user-menu"
                aria-expanded=move || open.get().to_string()
                node_ref=button
                on:click=move |_| if open.get_untracked() { close_menu(false) } else { open_menu() }
                on:keydown=on_button_keydown
            >
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="user-menu-name">{username}</span>
                <svg class="chevron" aria-hidden="true" viewBox="0 0 12 12" width="12" height="12">
                    <path d="M2 4l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.5"/>
                </svg>
            </button>
            <div
                id="user-menu"
                class="user-menu-list"
                role="menu"
                aria-labelledby="user-menu-button"
                hidden=move || !open.get()
                on:keydown=on_menu_keydown
            >
                <a class="menu-item" href="/account" role="menuitem" tabindex="-1" node_ref=account_item>
                    "Account"
                </a>
                // The item submits the form below, which sits outside the menu so that the menu
                // holds nothing but menu items.
                <button class="menu-item menu-item-logout" type="submit" form="logout-form" role="menuitem" tabindex="-1" node_ref=logout_item>
                    "Log out"
                </button>
            </div>
            <form id="logout-form" method="post" action=LogOut::PATH hidden></form>
        </div>
    }
}
