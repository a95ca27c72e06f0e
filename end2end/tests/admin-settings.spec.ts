import { expect, test } from "@playwright/test";
import { ADMINISTRATOR } from "./administrator";
import { logIn, watchForPageErrors } from "./support";

// The shared settings, clicked through: an administrator closes signup and raises the minimum
// password length; a visitor's Register page says signup is closed at once; opened again, the
// form is back. The settings are put back as they were whatever happens, since every other test
// signs up on this server.

test("an administrator closes signup from the console and opens it again", async ({ browser }) => {
  const adminPage = await (await browser.newContext()).newPage();
  const visitor = await (await browser.newContext()).newPage();
  const errors = watchForPageErrors(adminPage);
  await logIn(adminPage, { ...ADMINISTRATOR });
  try {
    await adminPage.getByRole("link", { name: "Admin", exact: true }).click();
    await adminPage.getByRole("link", { name: "Settings", exact: true }).click();
    await expect(adminPage.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    await expect(adminPage.getByText("From the command line: open (no --disable-signup).")).toBeVisible();

    await adminPage.getByLabel("Closed: only the operator creates accounts").check();
    await adminPage.getByLabel("Minimum password length").fill("12");
    await adminPage.getByRole("button", { name: "Save settings" }).click();
    await expect(adminPage.getByRole("status")).toHaveText("Saved: the changes apply on every replica within seconds.");
    await expect(adminPage.getByText(`Set by ${ADMINISTRATOR.username} on`).first()).toBeVisible();
    await expect(adminPage.getByLabel("Minimum password length")).toHaveValue("12");
    await adminPage.screenshot({ path: "test-results/screenshots/admin-settings.png", fullPage: true });

    await visitor.goto("/register");
    await expect(visitor.getByText("Signup is closed on this deployment.", { exact: false })).toBeVisible();
    await expect(visitor.getByRole("button", { name: "Register" })).toHaveCount(0);

    await adminPage.getByLabel("Open: visitors create their own accounts").check();
    await adminPage.getByLabel("Minimum password length").fill("8");
    await adminPage.getByRole("button", { name: "Save settings" }).click();
    await expect(adminPage.getByRole("status")).toHaveText("Saved: the changes apply on every replica within seconds.");
    await visitor.goto("/register");
    await expect(visitor.getByRole("button", { name: "Register" })).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    const restored = await adminPage.request.patch("/api/v1/admin/settings", {
      data: { signupOpen: true, minPasswordLength: 8 },
    });
    expect(restored.status()).toBe(200);
  }
});
