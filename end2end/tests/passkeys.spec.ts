import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import {
  expectNoAxeViolations,
  fillLogin,
  logIn,
  logOut,
  signUp,
  uniqueUser,
  waitForHydration,
  watchForPageErrors,
} from "./support";

// Passkeys, clicked through in Chromium with the DevTools protocol's virtual authenticator (a
// platform authenticator that keeps resident keys and verifies its user). A passkey belongs to a
// name, never to an IP address, so these pages are visited through localhost.

const LOCALHOST = `http://localhost:${process.env.E2E_PORT ?? 3100}`;

/** Adds a virtual authenticator to `page`; the function it returns says whether its user is at
 * hand: present, it answers every request at once, the login screen's autofill request included
 * (as a person picking the suggested passkey would); absent, requests wait. */
async function withVirtualAuthenticator(context: BrowserContext, page: Page): Promise<(present: boolean) => Promise<void>> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return async (enabled) => {
    await cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled });
  };
}

test("a passkey added on the account page signs in without a username, and as the second step", async ({ browser }) => {
  test.setTimeout(90_000);
  const user = uniqueUser("passkey");
  const context = await browser.newContext({ baseURL: LOCALHOST });
  const page = await context.newPage();
  const errors = watchForPageErrors(page);
  const userPresent = await withVirtualAuthenticator(context, page);
  await signUp(page, user);
  await logIn(page, user);

  await page.goto("/account#passkeys");
  await expect(page.getByRole("heading", { name: "Passkeys" })).toBeVisible();
  await page.getByLabel("Passkey name").fill("laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  // The first second factor comes with the recovery codes, shown once.
  await expect(page.getByRole("heading", { name: "Your recovery codes" })).toBeVisible();
  await page.getByRole("link", { name: "Done" }).click();
  const passkeys = page.getByRole("list", { name: "Passkeys of this account" });
  await expect(passkeys.getByText("laptop", { exact: true })).toBeVisible();
  await expect(page.getByText("On, with 1 passkey")).toBeVisible();
  await expectNoAxeViolations(page, "the account page with a passkey");
  await page.locator("#passkeys").scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-results/screenshots/account-passkeys.png", fullPage: true });

  // Signed out, the passkey alone signs in: no username, no password.
  await userPresent(false);
  await logOut(page, user.username);
  await waitForHydration(page);
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeVisible();
  await expectNoAxeViolations(page, "the login screen with passkeys");
  await page.screenshot({ path: "test-results/screenshots/login-passkey.png", fullPage: true });
  await userPresent(true);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();

  // The login screen's autofill: picking the suggested passkey signs in.
  await page.getByRole("button", { name: user.username }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();

  // The password now leads to the second step, where the passkey finishes the login.
  await userPresent(false);
  await logOut(page, user.username);
  await fillLogin(page, user.username, user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Enter your code" })).toBeVisible();
  await expect(page.getByLabel("Code", { exact: true })).toHaveCount(0);
  await expectNoAxeViolations(page, "the second step with a passkey");
  await userPresent(true);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();

  // Removed, it is gone from the list, and the password alone logs in again.
  await page.goto("/account#passkeys");
  await page.getByRole("button", { name: "Remove the passkey laptop" }).click();
  await expect(page.getByText("The passkey was removed.")).toBeVisible();
  await expect(page.getByText("Off: logging in takes your password alone.")).toBeVisible();
  await userPresent(false);
  await logOut(page, user.username);
  await logIn(page, user);
  expect(errors).toEqual([]);
  await context.close();
});

test("at an IP address the login screen says where passkeys work", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.getByText(`Passkeys work at ${LOCALHOST}, not at this address.`)).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeHidden();
});

test("without JavaScript the login screen says a passkey needs it", async ({ browser }) => {
  const context = await browser.newContext({ baseURL: LOCALHOST, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByText("Signing in with a passkey needs JavaScript.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeHidden();
  await context.close();
});
