//! The deployment's second-factor rule, enforced on every request of a signed-in account it
//! covers that has no second factor yet: its pages lead to the account page's set-up, and
//! everything else is refused (403), until it has an authenticator app or a passkey. What it
//! needs on the way stays open: the account page and the set-up's pages, their forms, logging
//! out, and what protects the account meanwhile (a new password, ending sessions).

use app::ssr::{AppState, accounts::SignedIn};
use axum::{
    extract::{Request, State},
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// Where a covered account is led: the account page's two-step login section.
pub const SET_UP_PATH: &str = "/account?setup=second-factor#second-factor";

/// What a covered account without a second factor may still reach, named by the pages' and
/// server functions' own paths so that a renamed one stays open.
fn open_on_the_way(method: &Method, path: &str) -> bool {
    use app::server_fns::{
        ChangePassword, ConfirmAuthenticator, FinishAddingPasskey, LogOut, LogOutEverywhere, RevokeSession,
        StartAddingPasskey, StartAuthenticatorSetup,
    };
    use leptos::server_fn::ServerFn;
    let pages = ["/account", app::AUTHENTICATOR_PATH, app::RECOVERY_CODES_PATH, "/health", "/metrics"];
    let forms = [
        LogOut::PATH,
        "/api/v1/auth/logout",
        ChangePassword::PATH,
        LogOutEverywhere::PATH,
        RevokeSession::PATH,
        StartAuthenticatorSetup::PATH,
        ConfirmAuthenticator::PATH,
        StartAddingPasskey::PATH,
        FinishAddingPasskey::PATH,
    ];
    match *method {
        Method::GET | Method::HEAD => pages.contains(&path),
        Method::POST => forms.contains(&path),
        _ => false,
    }
}

pub async fn lead_to_second_factor(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(signed_in) = request.extensions().get::<SignedIn>() else { return next.run(request).await };
    if open_on_the_way(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    match state.accounts.must_set_up_second_factor(signed_in).await {
        Ok(false) => next.run(request).await,
        Ok(true)
            if matches!(*request.method(), Method::GET | Method::HEAD)
                && !request.uri().path().starts_with("/api/") =>
        {
            (StatusCode::SEE_OTHER, [(header::LOCATION, SET_UP_PATH)]).into_response()
        }
        Ok(true) => {
            let message = "This deployment requires a second factor of this account: set up an authenticator app or \
                           a passkey on the account page first.";
            (
                StatusCode::FORBIDDEN,
                axum::Json(serde_json::json!({"error": "SecondFactorRequiredError", "message": message})),
            )
                .into_response()
        }
        Err(error) => {
            let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(serde_json::json!({"message": error.to_string()}))).into_response()
        }
    }
}
