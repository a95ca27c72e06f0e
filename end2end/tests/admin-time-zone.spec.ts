import { expect, test } from "@playwright/test";
import { ADMINISTRATOR } from "./administrator";
import { logIn } from "./support";

// The console shows times in the viewer's own time zone where the browser tells it, and in UTC
// without JavaScript.

const FORMAT: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
};

test("the audit trail shows times in the viewer's time zone", async ({ browser }) => {
  const page = await (await browser.newContext({ timezoneId: "Asia/Tokyo", locale: "en-US" })).newPage();
  await logIn(page, { ...ADMINISTRATOR });
  await page.goto("/admin/audit");
  await expect(page.getByRole("columnheader", { name: "Time (Asia/Tokyo)" })).toBeVisible();
  const first = page.locator("tbody time").first();
  const datetime = await first.getAttribute("datetime");
  expect(datetime).toBeTruthy();
  const expected = new Intl.DateTimeFormat("en-US", { ...FORMAT, timeZone: "Asia/Tokyo" }).format(new Date(datetime!));
  await expect(first).toHaveText(expected);
  expect(expected).toContain("GMT+9");
});

test("without JavaScript the audit trail says its times are UTC", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, timezoneId: "Asia/Tokyo" });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel("Username").fill(ADMINISTRATOR.username);
  await page.getByLabel("Password", { exact: true }).fill(ADMINISTRATOR.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.goto("/admin/audit");
  await expect(page.getByRole("columnheader", { name: "Time (UTC)" })).toBeVisible();
  const first = page.locator("tbody time").first();
  const datetime = (await first.getAttribute("datetime"))!;
  await expect(first).toHaveText(datetime.slice(0, 10) + " " + datetime.slice(11, 16));
});
