import { expect, test, type Page } from "@playwright/test";
import {
  fillLogin,
  logIn,
  signUp,
  uniqueUser,
  waitForHydration,
  watchForPageErrors,
  type TestUser,
} from "./support";

async function signUpAndLogIn(page: Page, user: TestUser): Promise<void> {
  await signUp(page, user);
  await logIn(page, user);
}

async function openAccountPage(page: Page, username: string): Promise<void> {
  await waitForHydration(page);
  await page.getByRole("button", { name: username }).click();
  await page.getByRole("menuitem", { name: "Account" }).click();
  await expect(page.getByRole("heading", { name: "Account", exact: true })).toBeVisible();
  await waitForHydration(page);
}

test("the account page shows the details and saves a new username and email", async ({ page }) => {
  const errors = watchForPageErrors(page);
  const user = uniqueUser("acct");
  await signUpAndLogIn(page, user);
  await openAccountPage(page, user.username);

  const facts = page.locator("dl.facts");
  await expect(facts).toContainText(user.username);
  await expect(facts).toContainText(user.email);
  await expect(facts).toContainText(String(new Date().getFullYear() + 1)); // expires in a year
  await page.screenshot({ path: "test-results/screenshots/account.png", fullPage: true });

  const renamed = `${user.username}-renamed`;
  await page.getByLabel("Username").fill(renamed);
  await page.getByLabel("Email address").fill(`renamed-${user.email}`);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status")).toHaveText("Your account details were saved.");
  await expect(page.getByRole("button", { name: renamed })).toBeVisible();
  await expect(facts).toContainText(`renamed-${user.email}`);
  expect(errors).toEqual([]);
});

test("changing the password keeps this session and the new password logs in", async ({ page, browser }) => {
  const user = uniqueUser("pw");
  await signUpAndLogIn(page, user);
  await openAccountPage(page, user.username);

  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill("a brand new password");
  await page.getByLabel("Confirm new password").fill("a brand new password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#field-old_password-error")).toHaveText("Invalid Current Password.");

  await page.getByLabel("Current password").fill(user.password);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Password Change Success");
  await expect(page.getByRole("button", { name: user.username })).toBeVisible(); // still signed in

  const other = await browser.newPage();
  await other.goto("/");
  await waitForHydration(other);
  await fillLogin(other, user.username, "a brand new password");
  await other.getByRole("button", { name: "Log in" }).click();
  await expect(other.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();
  await other.close();
});

test("log out from all devices ends every session", async ({ page, browser }) => {
  const user = uniqueUser("all");
  await signUpAndLogIn(page, user);
  const other = await browser.newPage();
  await other.goto("/");
  await waitForHydration(other);
  await fillLogin(other, user.username, user.password);
  await other.getByRole("button", { name: "Log in" }).click();
  await expect(other.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();

  await openAccountPage(page, user.username);
  await page.getByRole("button", { name: "Log out from all devices" }).click();
  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
  await other.reload();
  await expect(other.getByRole("heading", { name: "Login" })).toBeVisible();
  await other.close();
});

test("deleting the account needs the password and then the name stays taken", async ({ page }) => {
  const user = uniqueUser("del");
  await signUpAndLogIn(page, user);
  await openAccountPage(page, user.username);

  const deleteButton = page.getByRole("button", { name: "Delete account" });
  const password = page.locator("#field-password");
  await deleteButton.click();
  await expect(page.locator("#field-password-error")).toHaveText("This field is required");
  await password.fill("wrong password");
  await deleteButton.click();
  await expect(page.locator("#field-password-error")).toHaveText("Password authentication failed.");
  await password.fill(user.password);
  await deleteButton.click();

  await expect(page.getByRole("status")).toHaveText(`Successfully deleted user '${user.username}'.`);
  await waitForHydration(page);
  await fillLogin(page, user.username, user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");
});

test("the account page sends a visitor who is not logged in to the login screen", async ({ page }) => {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
});
