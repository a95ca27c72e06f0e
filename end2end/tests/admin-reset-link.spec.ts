import { expect, test } from "@playwright/test";
import { ADMINISTRATOR } from "./administrator";
import { logIn, signUp, uniqueUser, waitForHydration, watchForPageErrors, type TestUser } from "./support";

// A reset link, clicked through: an administrator makes one in the console and copies it; the
// account's owner opens it in another browser, chooses a new password (after one the page
// refuses), is signed out everywhere, and logs in with the new one. The link works only once.

test("an administrator hands over a reset link that the owner uses once", async ({ browser }) => {
  test.setTimeout(90_000);
  const owner: TestUser = uniqueUser("reset");
  const adminContext = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const adminPage = await adminContext.newPage();
  const ownerPage = await (await browser.newContext()).newPage();
  const errors = watchForPageErrors(adminPage);
  await signUp(ownerPage, owner);
  await logIn(ownerPage, owner);

  await logIn(adminPage, { ...ADMINISTRATOR });
  await adminPage.goto(`/admin/accounts?search=${encodeURIComponent(`username:${owner.username}`)}`);
  const row = adminPage.getByRole("row").filter({ has: adminPage.getByRole("rowheader", { name: new RegExp(`^${owner.username}`) }) });
  await row.getByRole("button", { name: "Reset link", exact: true }).click();
  await expect(adminPage.getByRole("heading", { level: 1, name: `Make a password reset link for ${owner.username}?` })).toBeVisible();
  await adminPage.getByRole("button", { name: "Reset link", exact: true }).click();
  const field = adminPage.getByLabel(`Reset link for ${owner.username}`);
  await expect(field).toBeVisible();
  const link = await field.inputValue();
  expect(link).toMatch(/^http:\/\/[^/]+\/password\/reset\?token=[A-Za-z0-9_-]{43}$/);
  expect(adminPage.url()).not.toContain("token");
  await adminPage.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(adminPage.getByText("Copied.")).toBeVisible();
  expect(await adminPage.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await adminPage.screenshot({ path: "test-results/screenshots/admin-reset-link.png", fullPage: true });
  // Shown once: a reload no longer has it.
  await adminPage.reload();
  await expect(adminPage.getByText(/was shown once and is not shown again/)).toBeVisible();
  await expect(adminPage.getByLabel(`Reset link for ${owner.username}`)).toHaveCount(0);

  // The owner opens it in another browser (signed in there still), and chooses a new password.
  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto(link);
  await expect(fresh.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  await expect(fresh.getByText(`For the account ${owner.username}.`, { exact: false })).toBeVisible();
  const newPassword = `${owner.password} renewed`;
  await fresh.getByLabel("New password", { exact: true }).fill(newPassword);
  await fresh.getByLabel("Confirm password").fill(`${newPassword} typo`);
  await fresh.getByRole("button", { name: "Set password" }).click();
  await expect(fresh.getByText("Passwords do not match")).toBeVisible();
  await expect(fresh.getByLabel("Confirm password")).toHaveAttribute("aria-invalid", "true");
  await fresh.screenshot({ path: "test-results/screenshots/reset-password-error.png", fullPage: true });
  await fresh.getByLabel("New password", { exact: true }).fill(newPassword);
  await fresh.getByLabel("Confirm password").fill(newPassword);
  await fresh.getByRole("button", { name: "Set password" }).click();
  await expect(fresh.getByRole("status")).toHaveText("Your new password is set. Log in with it.");

  // Every session of the account ended: the owner's other browser is signed out.
  await ownerPage.reload();
  await expect(ownerPage.getByRole("heading", { name: "Login" })).toBeVisible();
  await waitForHydration(fresh);
  await logIn(fresh, { ...owner, password: newPassword });

  // The link worked once.
  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await expect(again.getByRole("heading", { level: 1, name: "This link cannot be used" })).toBeVisible();
  await expect(again.getByRole("alert")).toContainText("no longer works");
  expect(errors).toEqual([]);
});
