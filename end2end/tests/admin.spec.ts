import { expect, test, type Locator, type Page } from "@playwright/test";
import { ADMINISTRATOR } from "./administrator";
import { fillLogin, logIn, signUp, uniqueUser, waitForHydration, watchForPageErrors, type TestUser } from "./support";

// The administrators' console, clicked through: an administrator disables an account while its
// owner is logged in elsewhere (the owner's next click lands on the login page, and a login says
// the account is disabled), sees the attempts in the overview and its chart, and enables it again.

function accountRow(page: Page, username: string): Locator {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: new RegExp(`^${username}`) }) });
}

async function findAccount(page: Page, username: string): Promise<Locator> {
  await page.getByRole("link", { name: "Accounts", exact: true }).click();
  await page.getByLabel("Search").fill(`username:${username}`);
  await page.getByRole("button", { name: "Search" }).click();
  const row = accountRow(page, username);
  await expect(row).toHaveCount(1);
  return row;
}

test("an administrator disables an account while its owner is logged in, and enables it again", async ({ browser }) => {
  test.setTimeout(90_000);
  const owner: TestUser = uniqueUser("owner");
  const ownerPage = await (await browser.newContext()).newPage();
  const adminPage = await (await browser.newContext()).newPage();
  // The owner's failed logins are 401s, which the browser reports on its console; the console's
  // own pages must have no errors.
  const errors = watchForPageErrors(adminPage);
  await signUp(ownerPage, owner);
  await logIn(ownerPage, owner);
  await expect(ownerPage.getByRole("link", { name: "Admin", exact: true })).toHaveCount(0);

  await logIn(adminPage, { ...ADMINISTRATOR });
  await adminPage.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(adminPage.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
  let row = await findAccount(adminPage, owner.username);
  await expect(row.getByRole("cell", { name: "active" })).toBeVisible();
  await row.getByRole("button", { name: "Disable", exact: true }).click();
  await expect(adminPage.getByRole("heading", { level: 1, name: `Disable ${owner.username}?` })).toBeVisible();
  await adminPage.getByRole("button", { name: "Disable", exact: true }).click();
  await expect(adminPage.getByRole("status").first()).toHaveText(`${owner.username} is disabled; 1 session ended.`);
  await expect(accountRow(adminPage, owner.username).getByRole("cell", { name: "disabled" })).toBeVisible();

  // The owner's next click finds them signed out; logging in says why, and only with the password.
  await ownerPage.getByRole("link", { name: "Groups", exact: true }).click();
  await expect(ownerPage.getByRole("heading", { name: "Login" })).toBeVisible();
  await waitForHydration(ownerPage);
  await fillLogin(ownerPage, owner.username, "not the password at all");
  await ownerPage.getByRole("button", { name: "Log in" }).click();
  await expect(ownerPage.getByRole("alert")).toHaveText("Invalid username or password.");
  await fillLogin(ownerPage, owner.username, owner.password);
  await ownerPage.getByRole("button", { name: "Log in" }).click();
  await expect(ownerPage.getByRole("alert")).toHaveText("This account has been disabled. Ask an administrator to enable it.");

  // The failed attempt is in the overview's figures and its chart.
  await adminPage.getByRole("link", { name: "Overview", exact: true }).click();
  const failures = adminPage.locator(".stat").filter({ hasText: "Failed logins" }).locator("dd");
  expect(Number(await failures.textContent())).toBeGreaterThanOrEqual(1);
  await expect(adminPage.getByRole("img", { name: /Logins, failed logins and throttled attempts per hour/ })).toBeVisible();
  await adminPage.getByText("The chart as a table").click();
  await expect(adminPage.getByRole("region", { name: "Totals per day" })).toBeVisible();
  await adminPage.screenshot({ path: "test-results/screenshots/admin-overview.png", fullPage: true });

  // The act is in the audit trail with the administrator's name, and downloads as CSV.
  await adminPage.getByRole("link", { name: "Audit trail", exact: true }).click();
  await adminPage.getByLabel("Kind of event").selectOption("account_disabled");
  await adminPage.getByRole("button", { name: "Filter" }).click();
  const disabled = adminPage.getByRole("row").filter({ hasText: owner.username });
  await expect(disabled.getByRole("cell", { name: ADMINISTRATOR.username, exact: true })).toBeVisible();
  const [download] = await Promise.all([
    adminPage.waitForEvent("download"),
    adminPage.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString("utf8");
  expect(text.split("\n")[0]).toContain('"occurredOn","event"');
  expect(text).toContain(`"account_disabled","1","${ADMINISTRATOR.username}"`);
  await adminPage.screenshot({ path: "test-results/screenshots/admin-audit.png", fullPage: true });

  row = await findAccount(adminPage, owner.username);
  await row.getByRole("button", { name: "Enable", exact: true }).click();
  await adminPage.getByRole("button", { name: "Enable", exact: true }).click();
  await expect(adminPage.getByRole("status").first()).toHaveText(`${owner.username} is enabled and can log in again.`);
  await adminPage.screenshot({ path: "test-results/screenshots/admin-accounts.png", fullPage: true });
  await logIn(ownerPage, owner);
  expect(errors).toEqual([]);
});

test("the console with the keyboard alone", async ({ page }) => {
  const member: TestUser = uniqueUser("keys");
  await signUp(page, member);
  await logIn(page, { ...ADMINISTRATOR });
  await page.goto("/admin/accounts");
  await page.getByLabel("Search").focus();
  await page.keyboard.type(`username:${member.username}`);
  await page.keyboard.press("Enter");
  await expect(accountRow(page, member.username)).toHaveCount(1);
  // Tab to the row's "Expire password" and act on it with Enter, then confirm with Enter.
  const target = accountRow(page, member.username).getByRole("button", { name: "Expire password", exact: true });
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((button) => button === document.activeElement)) break;
  }
  await expect(target).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: `Expire the password of ${member.username}?` })).toBeVisible();
  const confirm = page.getByRole("button", { name: "Expire password", exact: true });
  for (let presses = 0; presses < 10; presses++) {
    await page.keyboard.press("Tab");
    if (await confirm.evaluate((button) => button === document.activeElement)) break;
  }
  await expect(confirm).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").first()).toHaveText(
    `${member.username}'s password has expired: a new one is needed at the next login.`,
  );
});

/** Presses Tab until `target` has the focus (at most `limit` times), then expects it to. */
async function tabTo(page: Page, target: Locator, limit = 60): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) break;
    await page.keyboard.press("Tab");
  }
  await expect(target).toBeFocused();
}

test("every section of the console with the keyboard alone", async ({ browser }) => {
  test.setTimeout(90_000);
  const member: TestUser = uniqueUser("keys2");
  const page = await (await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] })).newPage();
  await signUp(page, member);
  await logIn(page, { ...ADMINISTRATOR });
  try {
    // The top bar's Admin link, then each section's link, by Tab and Enter.
    await tabTo(page, page.getByRole("link", { name: "Admin", exact: true }));
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
    await tabTo(page, page.getByRole("link", { name: "Settings", exact: true }));
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();

    // Settings: the length typed, saved with Enter.
    await tabTo(page, page.getByLabel("Minimum password length"));
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("9");
    await tabTo(page, page.getByRole("button", { name: "Save settings" }));
    await page.keyboard.press("Enter");
    await expect(page.getByRole("status")).toHaveText("Saved: the change applies on every replica within seconds.");

    // The audit trail, narrowed to one kind with the arrow keys.
    await tabTo(page, page.getByRole("link", { name: "Audit trail", exact: true }));
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 1, name: "Audit trail" })).toBeVisible();
    await tabTo(page, page.getByLabel("Kind of event"));
    await page.getByLabel("Kind of event").selectOption("setting_changed");
    await tabTo(page, page.getByRole("button", { name: "Filter" }));
    await page.keyboard.press("Enter");
    await expect(page.getByRole("row").filter({ hasText: "min_password_length" }).first()).toBeVisible();

    // A reset link made and copied without the mouse.
    await tabTo(page, page.getByRole("link", { name: "Accounts", exact: true }));
    await page.keyboard.press("Enter");
    await tabTo(page, page.getByLabel("Search"));
    await page.keyboard.type(`username:${member.username}`);
    await page.keyboard.press("Enter");
    await tabTo(page, accountRow(page, member.username).getByRole("button", { name: "Reset link", exact: true }));
    await page.keyboard.press("Enter");
    await tabTo(page, page.getByRole("button", { name: "Reset link", exact: true }), 15);
    await page.keyboard.press("Enter");
    await tabTo(page, page.getByRole("button", { name: "Copy", exact: true }), 15);
    await page.keyboard.press("Enter");
    await expect(page.getByText("Copied.")).toBeVisible();
  } finally {
    const restored = await page.request.patch("/api/v1/admin/settings", { data: { minPasswordLength: 8 } });
    expect(restored.status()).toBe(200);
  }
});
