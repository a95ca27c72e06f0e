import { createHmac } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { ADMINISTRATOR } from "./administrator";
import {
  expectNoAxeViolations,
  fillLogin,
  logIn,
  logOut,
  signUp,
  uniqueUser,
  waitForHydration,
  watchForPageErrors,
  type TestUser,
} from "./support";

// Two-step login, clicked through: an authenticator app set up with the keyboard alone from the
// key the page shows, the recovery codes saved, then a login with password and code, and one
// with a recovery code. The app's side is computed here (RFC 6238: HMAC-SHA-1, 30 s, 6 digits).

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/\s+/g, "")) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((byte) => parseInt(byte, 2)));
}

/** The code the app shows `steps` steps of 30 seconds from now. */
function totp(secret: string, steps = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + steps));
  const digest = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

async function passwordStep(page: Page, user: TestUser): Promise<void> {
  await page.goto("/");
  await waitForHydration(page);
  await fillLogin(page, user.username, user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Enter your code" })).toBeVisible();
}

test("an authenticator app set up with the keyboard, then logins with its code and a recovery code", async ({ browser }) => {
  test.setTimeout(90_000);
  const user = uniqueUser("totp");
  const context = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await context.newPage();
  const errors = watchForPageErrors(page);
  await signUp(page, user);
  await logIn(page, user);
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Two-step login" })).toBeVisible();

  // Keyboard only: the set-up button, the code, Turn on.
  await page.getByRole("button", { name: "Set up an authenticator app" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Set up an authenticator app" })).toBeVisible();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  await expectNoAxeViolations(page, "the authenticator app's set-up");
  await page.screenshot({ path: "test-results/screenshots/authenticator-setup.png", fullPage: true });
  const secret = (await page.locator("#authenticator-secret").textContent()) ?? "";
  expect(secret).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
  await page.getByLabel("Code", { exact: true }).focus();
  await page.keyboard.type(totp(secret));
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Turn on" })).toBeFocused();
  await page.keyboard.press("Enter");

  // The recovery codes, shown once, with Copy and Download.
  await expect(page.getByRole("heading", { name: "Your recovery codes" })).toBeVisible();
  const codes = await page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allTextContents();
  expect(codes).toHaveLength(10);
  for (const code of codes) expect(code).toMatch(/^[2-9a-hjkmnp-z]{4}(-[2-9a-hjkmnp-z]{4}){3}$/);
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(page.getByText("Copied.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join("\n"));
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download" }).click();
  expect((await download).suggestedFilename()).toBe("recovery-codes.txt");
  await expectNoAxeViolations(page, "the recovery codes");
  await page.screenshot({ path: "test-results/screenshots/recovery-codes.png", fullPage: true });
  await page.getByRole("link", { name: "Done" }).click();
  await expect(page.getByText("On, with an authenticator app: logging in with your password also asks for it.")).toBeVisible();
  await expect(page.getByText("10 recovery codes are left.")).toBeVisible();

  // Log out; the password alone now leads to the code.
  await logOut(page, user.username);
  await passwordStep(page, user);
  await expectNoAxeViolations(page, "the login's second step");
  await page.screenshot({ path: "test-results/screenshots/login-code.png", fullPage: true });
  await page.getByLabel("Code", { exact: true }).fill("000000" === totp(secret, 1) ? "111111" : "000000");
  await page.getByRole("button", { name: "Verify" }).first().click();
  await expect(page.getByRole("alert")).toContainText("That code is not right.");
  // The step after the set-up's (whose code is used up).
  await page.getByLabel("Code", { exact: true }).fill(totp(secret, 1));
  await page.getByRole("button", { name: "Verify" }).first().click();
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();

  // And with a recovery code.
  await logOut(page, user.username);
  await passwordStep(page, user);
  await page.getByText("Use a recovery code").click();
  await page.getByLabel("Recovery code", { exact: true }).fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).last().click();
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByText("9 recovery codes are left.")).toBeVisible();

  // Lost both? An administrator turns it off from the console; the password alone logs in again.
  const adminPage = await (await browser.newContext()).newPage();
  await logIn(adminPage, { ...ADMINISTRATOR });
  await adminPage.goto(`/admin/accounts?search=${encodeURIComponent(`username:${user.username}`)}`);
  const row = adminPage.getByRole("row").filter({ has: adminPage.getByRole("rowheader", { name: new RegExp(`^${user.username}`) }) });
  await expect(row.getByText("Two-step", { exact: true })).toBeVisible();
  await row.getByRole("button", { name: "Turn off two-step login", exact: true }).click();
  await expect(adminPage.getByRole("heading", { level: 1, name: `Turn off two-step login for ${user.username}?` })).toBeVisible();
  await adminPage.getByRole("button", { name: "Turn off two-step login", exact: true }).click();
  await expect(adminPage.getByText(`${user.username}'s two-step login is off`)).toBeVisible();
  await page.goto("/");
  await logIn(page, user);
  expect(errors).toEqual([]);
  await context.close();
});
