import { expect, test } from "@playwright/test";
import { logIn, signUp, uniqueUser } from "./support";

test("the groups page shows public, the user's permissions, and its members", async ({ page }) => {
  const user = uniqueUser("groups");
  await signUp(page, user);
  await logIn(page, user);
  await page.getByRole("link", { name: "Groups" }).click();

  await expect(page.getByRole("heading", { name: "Groups", exact: true })).toBeVisible();
  const row = page.getByRole("row", { name: /public/ });
  await expect(row.getByRole("cell").first()).toHaveAccessibleName("Yes"); // Read
  await expect(page.getByText("additional groups")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Members of public" })).toBeVisible();
  // At most the first 50 members are listed (every account is in public); the rest are in the
  // users directory, which the page links to when it cuts the list.
  const members = page.locator(".member-list > li");
  expect(await members.count()).toBeGreaterThan(0);
  expect(await members.count()).toBeLessThanOrEqual(50);
  if ((await page.getByText("Only the first 50 members are listed").count()) === 0) {
    await expect(page.locator(".member-list")).toContainText(user.username);
  } else {
    await expect(page.getByRole("link", { name: "users directory" })).toBeVisible();
  }
  await page.screenshot({ path: "test-results/screenshots/groups.png", fullPage: true });
});

test("the users page searches with the API's language and reports a bad query", async ({ page }) => {
  const first = uniqueUser("dir");
  const second = uniqueUser("dir");
  await signUp(page, first);
  await signUp(page, second);
  await logIn(page, first);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();

  const table = page.getByRole("table");
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
