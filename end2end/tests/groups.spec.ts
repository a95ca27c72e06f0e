import { expect, test, type Locator, type Page } from "@playwright/test";
import { logIn, signUp, uniqueUser, type TestUser, waitForHydration, watchForPageErrors } from "./support";

// The group workflow of Dioptra's plan, clicked through: create a group, add a member found by
// name, give write, make them admin, hand ownership on, leave, and the new owner deletes it.

async function openGroupFromList(page: Page, name: string): Promise<void> {
  await page.goto("/groups");
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

function memberRow(page: Page, username: string): Locator {
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: username, exact: true }) });
}

async function createGroup(page: Page, name: string, visibility: "public" | "private"): Promise<void> {
  await page.goto("/groups");
  await page.getByLabel("Group name").fill(name);
  await page.getByLabel(visibility === "public" ? "Everyone (public)" : "Only its members (private)").check();
  await page.getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("status").first()).toHaveText("Group created. You are its owner.");
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test("a group is created, given a member, handed on and deleted in the browser", async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchForPageErrors(page);
  const owner: TestUser = uniqueUser("owner");
  const member: TestUser = uniqueUser("member");
  await signUp(page, member);
  await signUp(page, owner);
  await logIn(page, owner);
  const name = `team ${owner.username}`;
  await createGroup(page, name, "public");

  // Results as you type: no Search button pressed, the page not reloaded.
  await waitForHydration(page);
  const address = page.url();
  await page.getByLabel("Search user").pressSequentially(member.username.slice(0, 12), { delay: 20 });
  await expect(page.getByRole("status").filter({ hasText: /users? found/ })).toBeVisible();
  expect(page.url()).toBe(address);
  await page.getByRole("button", { name: `Add ${member.username}` }).click();
  await expect(page.getByRole("status").first()).toHaveText("Member added. They can read; give them more below.");
  const row = memberRow(page, member.username);
  await expect(row.getByRole("checkbox", { name: `Read for ${member.username}`, exact: true })).toBeChecked();
  await expect(row.getByRole("checkbox", { name: `Write for ${member.username}`, exact: true })).not.toBeChecked();

  await row.getByRole("checkbox", { name: `Write for ${member.username}`, exact: true }).check();
  await row.getByRole("button", { name: `Save permissions of ${member.username}` }).click();
  await expect(page.getByRole("status").first()).toHaveText("Permissions saved.");
  await expect(memberRow(page, member.username).getByRole("checkbox", { name: `Write for ${member.username}`, exact: true })).toBeChecked();

  // A permission without the one it needs is refused, and said so.
  await memberRow(page, member.username).getByRole("checkbox", { name: `Read for ${member.username}`, exact: true }).uncheck();
  await memberRow(page, member.username).getByRole("button", { name: `Save permissions of ${member.username}` }).click();
  await expect(page.getByRole("alert")).toContainText("'write' needs 'read' as well.");

  await memberRow(page, member.username).getByRole("checkbox", { name: `Admin for ${member.username}`, exact: true }).check();
  await memberRow(page, member.username).getByRole("button", { name: `Save permissions of ${member.username}` }).click();
  await expect(memberRow(page, member.username).getByRole("checkbox", { name: `Admin for ${member.username}`, exact: true })).toBeChecked();
  await page.screenshot({ path: "test-results/screenshots/group.png", fullPage: true });

  await memberRow(page, member.username).getByRole("button", { name: `Make ${member.username} the owner` }).click();
  await expect(page.getByRole("status").first()).toHaveText("Ownership passed on. You stay an admin of this group.");
  await expect(page.getByRole("button", { name: "Delete group" })).toHaveCount(0);
  await page.getByRole("button", { name: "Leave group" }).click();
  await expect(page.getByRole("status").first()).toHaveText("You left the group.");

  await page.context().clearCookies();
  await logIn(page, member);
  await openGroupFromList(page, name);
  await page.getByLabel("Type the group's name to confirm").fill(name);
  await page.getByRole("button", { name: "Delete group" }).click();
  await expect(page.getByRole("status").first()).toHaveText("The group was deleted.");
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a private group is neither listed nor shown to an account outside it", async ({ page }) => {
  const owner = uniqueUser("private");
  const outsider = uniqueUser("outsider");
  await signUp(page, owner);
  await signUp(page, outsider);
  await logIn(page, owner);
  const name = `hidden ${owner.username}`;
  await createGroup(page, name, "private");
  const address = page.url().split("?")[0];
  await expect(page.getByText("Private: only its members see it")).toBeVisible();

  await page.context().clearCookies();
  await logIn(page, outsider);
  await page.goto("/groups");
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
  const response = await page.goto(address);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "No such group" })).toBeVisible();
});

test("a group is created and a member added with the keyboard alone", async ({ page }) => {
  const owner = uniqueUser("kbdowner");
  const member = uniqueUser("kbdmember");
  await signUp(page, member);
  await signUp(page, owner);
  await logIn(page, owner);
  await page.goto("/groups");
  const name = `keys ${owner.username}`;

  const press = async (target: Locator) => {
    for (let presses = 0; presses < 60; presses++) {
      if (await target.evaluate((element) => element === document.activeElement)) return;
      await page.keyboard.press("Tab");
    }
    throw new Error(`Tab never reached ${target}`);
  };
  await press(page.getByLabel("Group name"));
  await page.keyboard.type(name);
  await press(page.getByLabel("Everyone (public)"));
  await page.keyboard.press("ArrowDown");
  await expect(page.getByLabel("Only its members (private)")).toBeChecked();
  await press(page.getByRole("button", { name: "Create group" }));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();

  await press(page.getByLabel("Search user"));
  await page.keyboard.type(member.username);
  await page.keyboard.press("Enter");
  const add = page.getByRole("button", { name: `Add ${member.username}` });
  await press(add);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").first()).toHaveText("Member added. They can read; give them more below.");
  await expect(memberRow(page, member.username)).toBeVisible();
});
