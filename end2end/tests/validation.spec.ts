import { expect, test } from "@playwright/test";
import { fillLogin, fillSignup, signUp, uniqueUser, waitForHydration } from "./support";

test("an invalid field shows its error on leaving it and blocks the form without a request", async ({ page }) => {
  const serverCalls: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/")) serverCalls.push(request.url());
  });
  await page.goto("/register");
  await waitForHydration(page);

  const email = page.getByLabel("Email address");
  await email.fill("not-an-email");
  await expect(page.getByText("Invalid email address")).toBeHidden();
  await email.blur();
  await expect(page.getByText("Invalid email address")).toBeVisible();
  await expect(email).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Password", { exact: true }).fill("pw");
  await page.getByLabel("Confirm password").fill("different");
  await page.getByRole("button", { name: "Register" }).click();

  await expect(page.getByText("Password must be at least 8 characters")).toBeVisible();
  await expect(page.getByText("Passwords do not match")).toBeVisible();
  await expect(page.getByText("This field is required")).toBeVisible(); // the username
  await expect(page).toHaveURL(/\/register$/);
  expect(serverCalls).toEqual([]);

  // Fixing a field clears its message as soon as it is valid.
  await email.fill("valid@example.org");
  await expect(page.getByText("Invalid email address")).toBeHidden();
});

test("a taken username is reported by the server next to its field, in any case", async ({ page }) => {
  const user = uniqueUser("taken");
  await signUp(page, user);

  await page.goto("/register");
  await waitForHydration(page);
  await fillSignup(page, { ...uniqueUser("other"), username: user.username.toUpperCase() });
  await page.getByRole("button", { name: "Register" }).click();
  const usernameError = page.locator("#field-username-error");
  await expect(usernameError).toHaveText("This username is already taken");
  await expect(page).toHaveURL(/\/register$/);
});

test("a wrong password and an unknown user get the same message", async ({ page }) => {
  const user = uniqueUser("login");
  await signUp(page, user);
  await waitForHydration(page);

  await fillLogin(page, user.username, "wrong password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");

  await fillLogin(page, `nobody-${user.username}`, "wrong password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");
  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
});

test("show passwords reveals both password fields, on a phone-sized screen too", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/register");
  await waitForHydration(page);
  const password = page.getByLabel("Password", { exact: true });
  const confirm = page.getByLabel("Confirm password");
  await password.fill("secret words");
  await expect(password).toHaveAttribute("type", "password");
  await page.getByLabel("Show passwords").check();
  await expect(password).toHaveAttribute("type", "text");
  await expect(confirm).toHaveAttribute("type", "text");
  await expect(password).toHaveValue("secret words");
  // Nothing spills sideways at 360 px.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/screenshots/register-phone.png", fullPage: true });
  await page.getByLabel("Show passwords").uncheck();
  await expect(password).toHaveAttribute("type", "password");
});
