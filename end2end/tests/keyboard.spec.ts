import { expect, test, type Locator, type Page } from "@playwright/test";
import { uniqueUser, waitForHydration, watchForPageErrors } from "./support";

// The whole flow with the keyboard alone: only page.keyboard moves focus, types and presses
// buttons. Locators are used to read the page (what has focus, what it shows), never to act on it.

/** Presses `key` (Tab or Shift+Tab) until `target` has focus; fails listing where focus went. */
async function moveFocusTo(page: Page, target: Locator, key: "Tab" | "Shift+Tab" = "Tab"): Promise<void> {
  await expect(target).toBeVisible();
  const visited: string[] = [];
  for (let presses = 0; presses < 40; presses++) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press(key);
    visited.push(await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 100) ?? "(nothing)"));
  }
  throw new Error(`${key} never reached ${target}; focus went to:\n${visited.join("\n")}`);
}

/** Fails unless the focused element shows a focus indicator: an outline or a box shadow. */
async function expectFocusVisible(page: Page): Promise<void> {
  const focus = await page.evaluate(() => {
    const element = document.activeElement as HTMLElement;
    const style = getComputedStyle(element);
    return {
      element: element.outerHTML.slice(0, 100),
      focusVisible: element.matches(":focus-visible"),
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      boxShadow: style.boxShadow,
    };
  });
  const outlined = !focus.outline.startsWith("none") && !focus.outline.includes(" 0px ");
  const shadowed = focus.boxShadow !== "none";
  expect(focus.focusVisible && (outlined || shadowed), `no visible focus: ${JSON.stringify(focus)}`).toBe(true);
}

test("signup, login, the user menu, a password change and logout with the keyboard alone", async ({ page }) => {
  test.setTimeout(60_000);
  const errors = watchForPageErrors(page);
  const user = uniqueUser("kbd");
  const newPassword = `${user.password} renewed`;
  const field = (label: string) => page.getByLabel(label, { exact: true });
  const menuButton = page.getByRole("button", { name: user.username });

  // The login screen: Tab past the form to the Signup link and follow it.
  await page.goto("/");
  await waitForHydration(page);
  await moveFocusTo(page, page.getByRole("link", { name: "Signup" }));
  await expectFocusVisible(page);
  await page.keyboard.press("Enter");

  // The registration form, one field after the other.
  await expect(page.getByRole("heading", { name: "Register" })).toBeVisible();
  await waitForHydration(page);
  await moveFocusTo(page, field("Username"));
  await expectFocusVisible(page);
  await page.keyboard.type(user.username);
  await page.keyboard.press("Tab");
  await expect(field("Email address")).toBeFocused();
  await page.keyboard.type(user.email);
  await page.keyboard.press("Tab");
  await expect(field("Password")).toBeFocused();
  await page.keyboard.type(user.password);
  await page.keyboard.press("Tab");
  await expect(field("Confirm password")).toBeFocused();
  await page.keyboard.type(user.password);
  // Space toggles "Show passwords" on and off again.
  await page.keyboard.press("Tab");
  await expect(field("Show passwords")).toBeFocused();
  await expectFocusVisible(page);
  await page.keyboard.press("Space");
  await expect(field("Password")).toHaveAttribute("type", "text");
  await page.keyboard.press("Space");
  await expect(field("Password")).toHaveAttribute("type", "password");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Register" })).toBeFocused();
  await expectFocusVisible(page);
  await page.keyboard.press("Enter");

  // Back on the login screen: log in, pressing Enter in the password field.
  await expect(page.getByRole("status")).toHaveText(`Successfully created user '${user.username}'.`);
  await waitForHydration(page);
  await moveFocusTo(page, field("Username"));
  await page.keyboard.type(user.username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(user.password);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();

  // The username in the top-right corner opens the menu; Enter on Account follows it.
  await waitForHydration(page);
  await moveFocusTo(page, menuButton);
  await expectFocusVisible(page);
  await page.keyboard.press("Enter");
  await expect(menuButton).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByRole("menuitem", { name: "Account" })).toBeFocused();
  await expectFocusVisible(page);
  await page.keyboard.press("Enter");

  // Change the password: current, new, confirmation, Enter.
  await expect(page.getByRole("heading", { name: "Account", exact: true })).toBeVisible();
  await waitForHydration(page);
  await moveFocusTo(page, field("Current password"));
  await expectFocusVisible(page);
  await page.keyboard.type(user.password);
  await page.keyboard.press("Tab");
  await expect(field("New password")).toBeFocused();
  await page.keyboard.type(newPassword);
  await page.keyboard.press("Tab");
  await expect(field("Confirm new password")).toBeFocused();
  await page.keyboard.type(newPassword);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toHaveText("Password Change Success");

  // Back up the page to the menu with Shift+Tab; Space opens it, Arrow Down reaches LOG OUT.
  await waitForHydration(page);
  await moveFocusTo(page, menuButton, "Shift+Tab");
  await page.keyboard.press("Space");
  await expect(page.getByRole("menuitem", { name: "Account" })).toBeFocused();
  await page.keyboard.press("ArrowDown");
  const logOut = page.getByRole("menuitem", { name: "Log out" });
  await expect(logOut).toBeFocused();
  await expectFocusVisible(page);
  await page.keyboard.press("Enter");

  // Logged out; the new password logs in.
  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
  await waitForHydration(page);
  await moveFocusTo(page, field("Username"));
  await page.keyboard.type(user.username);
  await page.keyboard.press("Tab");
  await expect(field("Password")).toBeFocused();
  await page.keyboard.type(newPassword);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();
  expect(errors).toEqual([]);
});
