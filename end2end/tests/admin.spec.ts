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
