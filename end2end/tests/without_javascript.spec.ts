import { expect, test } from "@playwright/test";
import { fillLogin, fillSignup, uniqueUser } from "./support";

test.use({ javaScriptEnabled: false });

test("signup, login and logout work with JavaScript turned off", async ({ page }) => {
  const user = uniqueUser("nojs");
  await page.goto("/");
  await page.getByRole("link", { name: "Signup" }).click();
  await fillSignup(page, user);
  await page.getByRole("button", { name: "Register" }).click();

  await expect(page.getByRole("status")).toHaveText(`Successfully created user '${user.username}'.`);
  await fillLogin(page, user.username, user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page.getByRole("heading", { name: "Login" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("without JavaScript the server reports the same errors", async ({ page }) => {
  const user = uniqueUser("nojs-err");
  await page.goto("/register");
  await fillSignup(page, { ...user, email: "not-an-email" });
  await page.getByLabel("Confirm password").fill("something else");
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.locator("#field-email-error")).toHaveText("Invalid email address");
  await expect(page.locator("#field-confirm_password-error")).toHaveText("Passwords do not match");

  await page.goto("/");
  await fillLogin(page, user.username, "wrong password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");
});
