import { expect, test, type Page } from "@playwright/test";
import {
  expectNoAxeViolations,
  expectNoHorizontalOverflow,
  logIn,
  signUp,
  uniqueUser,
  waitForHydration,
  type TestUser,
} from "./support";
import { ADMINISTRATOR } from "./administrator";

// Every page, logged out and logged in, checked by axe-core against WCAG 2.0, 2.1 and 2.2 (A and
// AA) and axe's best practices, in the light and the dark theme (the app follows the system's),
// at desktop and phone sizes. Each state is also saved as a screenshot:
// test-results/screenshots/<state>-<size>-<theme>.png.

interface PageState {
  name: string;
  path: string;
  heading: string | RegExp;
  /** Brings the page into the state to check, after it has loaded and hydrated. */
  prepare?: (page: Page) => Promise<void>;
}

const LOGGED_OUT: PageState[] = [
  { name: "login", path: "/", heading: "Login" },
  {
    name: "login-error",
    path: "/",
    heading: "Login",
    prepare: async (page) => {
      await page.getByLabel("Username").fill("nobody-at-all");
      await page.getByLabel("Password", { exact: true }).fill("not the password");
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page.getByRole("alert")).toHaveText("Invalid username or password.");
    },
  },
  { name: "register", path: "/register", heading: "Register" },
  {
    name: "register-errors",
    path: "/register",
    heading: "Register",
    prepare: async (page) => {
      await page.getByLabel("Email address").fill("not-an-email");
      await page.getByRole("button", { name: "Register" }).click();
      await expect(page.getByText("Invalid email address")).toBeVisible();
    },
  },
  {
    name: "renew-password",
    path: "/password/renew?username=someone",
    heading: "Choose a new password",
    prepare: async (page) => {
      await page.getByLabel("New password", { exact: true }).fill("short");
      await page.getByRole("button", { name: "Renew password" }).click();
      await expect(page.getByText("Password must be at least 8 characters")).toBeVisible();
    },
  },
  { name: "not-found", path: "/no-such-page", heading: "Page not found" },
];

const LOGGED_IN: PageState[] = [
  { name: "home", path: "/", heading: /^Welcome, / },
  {
    name: "user-menu",
    path: "/",
    heading: /^Welcome, /,
    prepare: async (page) => {
      await page.locator("#user-menu-button").click();
      await expect(page.getByRole("menuitem", { name: "Log out" })).toBeVisible();
    },
  },
  { name: "account", path: "/account", heading: "Account" },
  { name: "account-saved", path: "/account?saved=password", heading: "Account" },
  { name: "groups", path: "/groups", heading: "Groups" },
  { name: "users", path: "/users", heading: "Users" },
  { name: "users-search-error", path: "/users?search=a%2C%2Cb", heading: "Users" },
];

const SIZES = [
  { name: "desktop", viewport: { width: 1280, height: 800 } },
  { name: "phone", viewport: { width: 360, height: 740 } },
] as const;

const THEMES = ["light", "dark"] as const;

async function check(page: Page, state: PageState, label: string): Promise<void> {
  await page.goto(state.path);
  await expect(page.getByRole("heading", { level: 1, name: state.heading })).toBeVisible();
  await waitForHydration(page);
  await state.prepare?.(page);
  await expectNoAxeViolations(page, `${state.path} (${state.name}, ${label})`);
  await expectNoHorizontalOverflow(page, `${state.path} (${state.name}, ${label})`);
  await page.screenshot({ path: `test-results/screenshots/${state.name}-${label}.png`, fullPage: true });
}

for (const theme of THEMES) {
  for (const size of SIZES) {
    const label = `${size.name}-${theme}`;

    test.describe(`${size.name}, ${theme} theme`, () => {
      test.beforeEach(async ({ page }) => {
        await page.setViewportSize(size.viewport);
        await page.emulateMedia({ colorScheme: theme });
      });

      test(`logged-out pages have no axe violations (${label})`, async ({ page }) => {
        test.setTimeout(60_000);
        const dark = await page.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches);
        expect(dark).toBe(theme === "dark");
        for (const state of LOGGED_OUT) await check(page, state, label);
      });

      test(`the administrators' console has no axe violations (${label})`, async ({ page }) => {
        test.setTimeout(60_000);
        // An account to make reset links for: the link as the console shows it, and its page.
        const member: TestUser = uniqueUser("a11y-reset");
        await signUp(page, member);
        await logIn(page, { ...ADMINISTRATOR });
        const found = await page.request.get(`/api/v1/users?search=username:${member.username}`);
        const memberId = (await found.json()).data[0].id;
        const made = await page.request.post(`/api/v1/admin/users/${memberId}/reset-link`);
        expect(made.status()).toBe(200);
        const resetLink = new URL((await made.json()).resetLink);
        const consolePages: PageState[] = [
          { name: "admin-overview", path: "/admin", heading: "Administration" },
          { name: "admin-accounts", path: "/admin/accounts", heading: "Accounts" },
          { name: "admin-audit", path: "/admin/audit", heading: "Audit trail" },
          { name: "admin-settings", path: "/admin/settings", heading: "Settings" },
          { name: "admin-act", path: "/admin/act?act=expire-password&user=1", heading: /^Expire the password of / },
          // Before the console makes a newer link, which ends this one.
          { name: "reset-password", path: resetLink.pathname + resetLink.search, heading: "Choose a new password" },
          {
            name: "admin-reset-link",
            path: `/admin/act?act=reset-link&user=${memberId}&back=/admin/accounts`,
            heading: /^Make a password reset link for /,
            prepare: async (page) => {
              await page.getByRole("button", { name: "Reset link", exact: true }).click();
              await expect(page.getByLabel(`Reset link for ${member.username}`)).toBeVisible();
            },
          },
        ];
        for (const state of consolePages) await check(page, state, label);
      });

      test(`logged-in pages have no axe violations (${label})`, async ({ page }) => {
        test.setTimeout(90_000);
        const user: TestUser = uniqueUser("a11y");
        await signUp(page, user);
        await logIn(page, user);
        // A group of the user's own, so that its page shows every control an owner has.
        const created = await page.request.post("/api/v1/groups/", { data: { name: `a11y ${user.username}` } });
        expect(created.status()).toBe(200);
        const group = (await created.json()).id;
        const groupPages: PageState[] = [
          { name: "group", path: `/groups/${group}`, heading: `a11y ${user.username}` },
          { name: "group-search", path: `/groups/${group}?find=a11y`, heading: `a11y ${user.username}` },
          { name: "public-group", path: "/groups/1", heading: "public" },
        ];
        for (const state of [...LOGGED_IN, ...groupPages]) await check(page, state, label);
      });
    });
  }
}
