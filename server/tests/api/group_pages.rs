//! The group pages without JavaScript: plain form posts to the server functions, each answered
//! with a redirect back to the page, which shows only the controls the viewer may use.

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::{
    group_management::Person,
    helpers::{TestApp, spawn_app},
};

impl TestApp {
    /// Posts a form as a browser without JavaScript does; the redirect's target.
    async fn submit(&self, who: &Person, path: &str, form: &[(&str, &str)]) -> String {
        let response = who
            .client
            .post(self.url(path))
            .form(form)
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, self.url("/groups"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FOUND, "{path}: {}", response.text().await.unwrap());
        response.headers()[header::LOCATION].to_str().unwrap().to_owned()
    }

    async fn page(&self, who: &Person, path: &str) -> (StatusCode, String) {
        let response = who.client.get(self.url(path)).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

#[tokio::test]
async fn a_group_is_created_managed_and_deleted_from_its_pages() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;
    let (bob_id, alice_id) = (bob.id.to_string(), alice.id.to_string());

    let location = app.submit(&alice, "/api/groups/create", &[("name", "Red team"), ("visibility", "private")]).await;
    let id: i64 = location.trim_start_matches("/groups/").split('?').next().unwrap().parse().unwrap();
    assert_eq!(location, format!("/groups/{id}?saved=created"));
    let group_id = id.to_string();
    let (status, html) = app.page(&alice, &location).await;
    assert_eq!(status, StatusCode::OK);
    for control in ["Save name", "Delete group", "Add member", "Group created. You are its owner."] {
        assert!(html.contains(control), "{control}");
    }
    // Private: bob finds nothing there, and no link to it.
    let (status, html) = app.page(&bob, &format!("/groups/{id}")).await;
    assert_eq!((status, html.contains("No such group")), (StatusCode::NOT_FOUND, true));
    assert!(!app.page(&bob, "/groups").await.1.contains("Red team"));

    // Finding bob by the start of his name, and adding him.
    let (_, html) = app.page(&alice, &format!("/groups/{id}?find=bo")).await;
    assert!(html.contains("aria-label=\"Add bob\""), "{html}");
    let location =
        app.submit(&alice, "/api/groups/members/add", &[("group_id", &group_id), ("user_id", &bob_id)]).await;
    assert_eq!(location, format!("/groups/{id}?saved=added#members"));
    let (status, html) = app.page(&bob, &format!("/groups/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    // A plain member sees the members and may leave, but no controls of admins or the owner.
    assert!(html.contains("Leave group"));
    for control in ["Save name", "Delete group", "Add member", "aria-label=\"Remove", "type=\"checkbox\""] {
        assert!(!html.contains(control), "{control}");
    }

    // Ticked boxes are sent, unticked ones are not: write given, read kept.
    let form = [
        ("group_id", group_id.as_str()),
        ("user_id", &bob_id),
        ("read", "on"),
        ("write", "on"),
        ("admin_offered", "1"),
    ];
    app.submit(&alice, "/api/groups/members/change", &form).await;
    let (_, member) = app.call(&alice, Method::GET, &format!("/groups/{id}/members/{bob_id}"), Value::Null).await;
    assert_eq!(
        member["permissions"],
        json!({"read": true, "write": true, "shareRead": false, "shareWrite": false, "owner": false, "admin": false})
    );
    // A broken implication comes back as an error on the page it came from.
    let refused = alice
        .client
        .post(app.url("/api/groups/members/change"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url(&format!("/groups/{id}")))
        .form(&[("group_id", group_id.as_str()), ("user_id", &bob_id), ("write", "on")])
        .send()
        .await
        .unwrap();
    let back = refused.headers()[header::LOCATION].to_str().unwrap().replace(&app.address, "");
    assert!(back.starts_with(&format!("/groups/{id}?")) && back.contains("__err="), "{back}");
    let (_, html) = app.page(&alice, &back).await;
    assert!(html.contains("role=\"alert\"") && html.contains("needs"), "{html}");

    // Ownership to bob; alice stays an admin and loses the owner's controls.
    app.submit(&alice, "/api/groups/members/make-owner", &[("group_id", &group_id), ("user_id", &bob_id)]).await;
    let (_, html) = app.page(&alice, &format!("/groups/{id}")).await;
    assert!(!html.contains("Delete group") && html.contains("Save name") && html.contains("Leave group"));
    let location =
        app.submit(&alice, "/api/groups/members/remove", &[("group_id", &group_id), ("user_id", &alice_id)]).await;
    assert_eq!(location, "/groups?left=1");

    // Deleting needs the name typed.
    let refused = bob
        .client
        .post(app.url("/api/groups/delete"))
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, app.url(&format!("/groups/{id}")))
        .form(&[("group_id", group_id.as_str()), ("confirm_name", "Red")])
        .send()
        .await
        .unwrap();
    assert!(refused.headers()[header::LOCATION].to_str().unwrap().contains("__err="));
    let location =
        app.submit(&bob, "/api/groups/delete", &[("group_id", &group_id), ("confirm_name", "Red team")]).await;
    assert_eq!(location, "/groups?deleted=1");
    assert_eq!(app.page(&bob, &format!("/groups/{id}")).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_live_member_search_answers_the_groups_admins_only() {
    let app = spawn_app().await;
    let alice = app.person("alice").await;
    let bob = app.person("bob").await;
    let _carol = app.person("carol").await;
    let id = app.create_group(&alice, json!({"name": "team", "public": false})).await.to_string();
    let find = |who: &Person, search: &str| {
        who.client
            .post(app.url("/api/groups/members/find"))
            .header(header::ACCEPT, "application/json")
            .form(&[("group_id", id.as_str()), ("search", search)])
            .send()
    };
    let answer = find(&alice, "car").await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let html: String = answer.json().await.unwrap();
    assert!(html.contains("aria-label=\"Add carol\"") && html.contains("1 user found."), "{html}");
    let html: String = find(&alice, "ali").await.unwrap().json().await.unwrap();
    assert!(html.contains(">Member<") && !html.contains("Add alice"), "{html}");
    // bob, outside the private group, learns nothing from it; as a plain member, finds nobody.
    let outside = find(&bob, "car").await.unwrap();
    assert_eq!(outside.status(), StatusCode::NOT_FOUND, "{}", outside.text().await.unwrap());
    app.call(&alice, Method::POST, &format!("/groups/{id}/members"), json!({"user": bob.id})).await;
    assert_eq!(find(&bob, "car").await.unwrap().status(), StatusCode::FORBIDDEN);
}
