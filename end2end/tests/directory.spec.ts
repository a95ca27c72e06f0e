import { expect, test } from "@playwright/test";
import { logIn, signUp, uniqueUser } from "./support";

test("the groups page shows public with the user's permissions, and its page 50 members at a time", async ({ page }) => {
  const user = uniqueUser("groups");
  await signUp(page, user);
  // More than 50 accounts, whatever the other tests made: every account is in public, so its
  // members come a page at a time.
  for (let n = 0; n < 51; n++) {
    const extra = uniqueUser("member");
    const response = await page.request.post("/api/v1/users", {
      data: { username: extra.username, email: extra.email, password: extra.password, confirmPassword: extra.password },
    });
    expect(response.status()).toBe(200);
  }
  await logIn(page, user);
  await page.getByRole("link", { name: "Groups" }).click();

  await expect(page.getByRole("heading", { name: "Groups", exact: true })).toBeVisible();
  const row = page.getByRole("row", { name: /public/ });
  await expect(row.getByRole("cell").first()).toHaveAccessibleName("Yes"); // Read
  await expect(page.getByRole("button", { name: "Create group" })).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/groups.png", fullPage: true });
  await row.getByRole("link", { name: "public" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "public" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Group members" }).getByRole("rowheader")).toHaveCount(50);
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page.getByRole("status")).toHaveText(/^Members 51 to /);
  // Nobody joins or leaves public: no search to add, no way to leave.
  await expect(page.getByLabel("Search user")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Leave group" })).toHaveCount(0);
});

test("the users page searches with the API's language and reports a bad query", async ({ page }) => {
  // Two accounts of a name stem of this test's own, so that what other tests made never shows.
  const stem = uniqueUser("dir").username;
  const first = uniqueUser(stem);
  const second = uniqueUser(stem);
  await signUp(page, first);
  await signUp(page, second);
  await logIn(page, first);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();

  const table = page.getByRole("table");
  await page.getByLabel("Search").fill(`username:${stem}*`);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("status")).toHaveText("Users 1 to 2 of 2");
  await expect(table).toContainText(first.username);
  await expect(table).toContainText(second.username);

  await page.getByLabel("Search").fill(`username:${second.username}`);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/search=username/);
  await expect(table).toContainText(second.username);
  await expect(table).not.toContainText(first.username);
  await expect(page.getByRole("status")).toHaveText("Users 1 to 1 of 1");

  await page.getByLabel("Search").fill("a,,b");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("alert")).toContainText("The search could not be understood");

  await page.getByLabel("Search").fill(Array(11).fill("a").join(","));
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("alert")).toHaveText("A search may have at most 10 terms.");
  await page.screenshot({ path: "test-results/screenshots/users.png", fullPage: true });
});

test("the groups and users pages send a visitor who is not logged in to the login screen", async ({ page }) => {
  for (const path of ["/groups", "/users"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
  }
});
