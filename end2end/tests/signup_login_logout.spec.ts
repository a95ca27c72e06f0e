import { expect, test } from "@playwright/test";
import { fillLogin, fillSignup, signUp, uniqueUser, waitForHydration, watchForPageErrors } from "./support";

test("a visitor signs up, logs in, and logs out from the username menu", async ({ page }) => {
  const errors = watchForPageErrors(page);
  const user = uniqueUser("flow");

  // The deployment URL shows the login screen.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
  await page.getByRole("link", { name: "Signup" }).click();

  await expect(page).toHaveURL(/\/register$/);
  await expect(page.getByRole("heading", { name: "Register" })).toBeVisible();
  await waitForHydration(page);
  await fillSignup(page, user);
  await page.getByRole("button", { name: "Register" }).click();

  await expect(page.getByRole("status")).toHaveText(`Successfully created user '${user.username}'.`);
  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/login-after-signup.png", fullPage: true });

  await waitForHydration(page);
  await fillLogin(page, user.username, user.password);
  await page.getByRole("button", { name: "Log in" }).click();

  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();
  const menuButton = page.getByRole("button", { name: user.username });
  await expect(menuButton).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByText("public", { exact: true })).toBeVisible();
  await waitForHydration(page);
  await page.screenshot({ path: "test-results/screenshots/home.png", fullPage: true });

  // The username sits in the top-right corner of the page.
  const box = await menuButton.boundingBox();
  const viewport = page.viewportSize();
  expect(box && viewport && box.x + box.width > viewport.width * 0.75 && box.y < 80).toBeTruthy();

  await menuButton.click();
  await expect(menuButton).toHaveAttribute("aria-expanded", "true");
  const logOut = page.getByRole("menuitem", { name: "Log out" });
  await expect(logOut).toBeVisible();
  await expect(logOut).toHaveCSS("text-transform", "uppercase"); // shown as LOG OUT
  await page.screenshot({ path: "test-results/screenshots/user-menu.png" });
  await logOut.click();

  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("the user menu works from the keyboard and closes on Escape or a click outside", async ({ page }) => {
  const user = uniqueUser("menu");
  await signUp(page, user);
  await waitForHydration(page);
  await fillLogin(page, user.username, user.password);
  await page.getByLabel("Password", { exact: true }).press("Enter"); // Enter submits the form
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();
  await waitForHydration(page);

  const menuButton = page.getByRole("button", { name: user.username });
  const account = page.getByRole("menuitem", { name: "Account" });
  const logOut = page.getByRole("menuitem", { name: "Log out" });

  await menuButton.focus();
  await page.keyboard.press("Enter");
  await expect(menuButton).toHaveAttribute("aria-expanded", "true");
  await expect(account).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(logOut).toBeFocused();
  await page.keyboard.press("ArrowDown");
  await expect(account).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menuButton).toHaveAttribute("aria-expanded", "false");
  await expect(logOut).toBeHidden();
  await expect(menuButton).toBeFocused();

  await page.keyboard.press(" ");
  await expect(account).toBeFocused();
  await page.getByRole("heading", { name: `Welcome, ${user.username}` }).click();
  await expect(menuButton).toHaveAttribute("aria-expanded", "false");

  await menuButton.press("ArrowDown");
  await expect(account).toBeFocused();
  await page.keyboard.press("End");
  await expect(logOut).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
});
