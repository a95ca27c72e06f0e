import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ADMINISTRATOR } from "./tests/administrator";

// The server under test: the binary cargo-leptos built (scripts/test.sh passes its path), on a
// port of its own, with a fresh SQLite database in a temporary folder for this run.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const binary = process.env.DIOPTRA_ACCOUNTS_BIN ?? resolve(__dirname, "../target/release/dioptra-accounts");
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? resolve(__dirname, "../target/site");
const database = join(mkdtempSync(join(tmpdir(), "dioptra-accounts-e2e-")), "accounts.db");

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: "list",
  timeout: 30_000,
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    // Every test signs up from 127.0.0.1: the per-address signup limit would stop the run.
    // The administrator is the first account (it founds `public`), made by the operator's command
    // before the server starts, so that every test knows who it is (support.ts: ADMINISTRATOR).
    command:
      `printf '%s\n' '${ADMINISTRATOR.password}' | "${binary}" users --database-url "sqlite://${database}" ` +
      `create --username ${ADMINISTRATOR.username} --email ${ADMINISTRATOR.email} && ` +
      `exec "${binary}" --addr 127.0.0.1:${port} --database-url "sqlite://${database}" --site-root "${siteRoot}" --max-signups-per-address 0`,
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});
