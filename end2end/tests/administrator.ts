/** The deployment's administrator in the browser tests: the first account, which founds `public`
 * and owns it, created by playwright.config.ts with the operator's command before the server
 * starts. A module of its own, without Playwright's test imports, so that the config can read it. */
export const ADMINISTRATOR = {
  username: "e2e-admin",
  email: "e2e-admin@example.org",
  password: "the e2e administrator",
};
