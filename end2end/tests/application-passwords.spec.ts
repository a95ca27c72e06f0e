import { expect, test } from "@playwright/test";
import { expectNoAxeViolations, logIn, signUp, uniqueUser, watchForPageErrors } from "./support";

// An application password, clicked through: made on the account page with the keyboard alone,
// shown once with Copy, used by a script (the REST API's login) whose session the pages do not
// take, and revoked, which ends the script's session.

test("an application password is made, copied once, used by a script and revoked", async ({ browser, playwright }) => {
  const user = uniqueUser("apppw");
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  const errors = watchForPageErrors(page);
  await signUp(page, user);
  await logIn(page, user);
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Application passwords" })).toBeVisible();
  await expect(page.getByText("This account has no application passwords.")).toBeVisible();

  // Keyboard only: the name, the expiry, the button.
  await page.getByLabel("Name", { exact: true }).focus();
  await page.keyboard.type("notebook");
  await page.keyboard.press("Tab");
  await page.keyboard.press("ArrowDown"); // "In 30 days"
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Create an application password" })).toBeFocused();
  await page.keyboard.press("Enter");

  const field = page.getByLabel("Application password", { exact: true });
  await expect(field).toBeVisible();
  const secret = await field.inputValue();
  expect(secret).toMatch(/^[2-9a-hjkmnp-z]{4}(-[2-9a-hjkmnp-z]{4}){5}$/);
  expect(page.url()).not.toContain(secret);
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(page.getByText("Copied.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await expect(page.getByText(/notebook/).first()).toBeVisible();
  await expect(page.getByText(/never used · expires [A-Z][a-z]+ \d+, \d{4}/)).toBeVisible();
  await expectNoAxeViolations(page, "the account page with a new application password");
  await page.screenshot({ path: "test-results/screenshots/application-password.png", fullPage: true });
  // Shown once: a reload no longer has it.
  await page.reload();
  await expect(page.getByLabel("Application password", { exact: true })).toHaveCount(0);

  // A script logs in with it, as Dioptra's client does; the pages do not take its session.
  const script = await playwright.request.newContext({ baseURL: new URL(page.url()).origin });
  const login = await script.post("/api/v1/auth/login", { data: { username: user.username, password: secret } });
  expect(login.status()).toBe(200);
  expect((await script.get("/api/v1/users/current")).status()).toBe(200);
  const accountPage = await script.get("/account", { maxRedirects: 0 });
  expect(accountPage.status()).toBe(302);

  // Its session is listed among the account's, and Revoke ends it.
  await page.reload();
  await expect(page.getByText("Application password: notebook")).toBeVisible();
  await page.getByRole("button", { name: "Revoke notebook" }).click();
  await expect(page.getByRole("status")).toHaveText("The application password was revoked; its logins have ended.");
  await expect(page.getByText("This account has no application passwords.")).toBeVisible();
  expect((await script.get("/api/v1/users/current")).status()).toBe(401);
  expect(errors).toEqual([]);
  await script.dispose();
  await context.close();
});
