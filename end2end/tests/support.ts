import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";

export interface TestUser {
  username: string;
  email: string;
  password: string;
}

/** A user no other test (or earlier run) has made. */
export function uniqueUser(prefix = "user"): TestUser {
  const id = randomBytes(4).toString("hex");
  return {
    username: `${prefix}-${id}`,
    email: `${prefix}-${id}@example.org`,
    password: `correct horse ${id}`,
  };
}

/** Waits until every island on the page has hydrated, so clicks reach their handlers. */
export async function waitForHydration(page: Page): Promise<void> {
  await expect(page.locator("[data-island]:not([data-hydrated])")).toHaveCount(0, { timeout: 15_000 });
}

export async function fillSignup(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Email address").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByLabel("Confirm password").fill(user.password);
}

export async function fillLogin(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
}

/** Fails the test on any uncaught error or console error in the page. */
export function watchForPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return errors;
}

/** Registers `user` through the signup page. */
export async function signUp(page: Page, user: TestUser): Promise<void> {
  await page.goto("/register");
  await waitForHydration(page);
  await fillSignup(page, user);
  await page.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("status")).toHaveText(`Successfully created user '${user.username}'.`);
}

/** Logs `user` in from the login screen and waits for the home page. */
export async function logIn(page: Page, user: TestUser): Promise<void> {
  await page.goto("/");
  await waitForHydration(page);
  await fillLogin(page, user.username, user.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${user.username}` })).toBeVisible();
}

/** Logs out from the username menu and waits for the login screen. */
export async function logOut(page: Page, username: string): Promise<void> {
  await waitForHydration(page);
  await page.getByRole("button", { name: username }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
}

/** The axe-core rule tags every page is held to: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and
 * axe's own best practices. */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];

/** Runs axe-core on the page as it is now and fails, listing each rule and the elements that
 * break it, unless nothing is found. */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const report = results.violations.map((violation) => {
    const nodes = violation.nodes.map((node) => {
      const summary = (node.failureSummary ?? "").replace(/\s+/g, " ").trim();
      return `    - ${node.target.join(" >> ")}: ${summary}`;
    });
    return `  ${violation.id} (${violation.impact}): ${violation.help}\n${nodes.join("\n")}`;
  });
  expect(report, `axe-core violations on ${what}:\n${report.join("\n")}`).toEqual([]);
}

/** Fails unless nothing on the page is wider than the window (no sideways scrolling). */
export async function expectNoHorizontalOverflow(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${what} is ${overflow} px wider than the window`).toBeLessThanOrEqual(0);
}
