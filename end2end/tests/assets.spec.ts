import { expect, test } from "@playwright/test";
import { waitForHydration } from "./support";

const YEAR_IMMUTABLE = "public, max-age=31536000, immutable";

test("the stylesheet, loader and bundle have hashed names, come precompressed, and are cached for good", async ({
  page,
  request,
}) => {
  await page.goto("/");
  await waitForHydration(page);
  const urls = await page.evaluate(() =>
    Array.from(document.querySelectorAll("link[href^='/pkg/']"), (link) => link.getAttribute("href") ?? ""),
  );
  // cargo-leptos names each file after the base64url MD5 of its content: 22 characters.
  const hashed = /^\/pkg\/dioptra-accounts\.[A-Za-z0-9_-]{22}\.(css|js|wasm)$/;
  expect(urls.map((url) => url.match(hashed)?.[1]).sort()).toEqual(["css", "js", "wasm"]);

  for (const url of urls) {
    for (const encoding of ["br", "gzip"]) {
      const response = await request.get(url, { headers: { "Accept-Encoding": encoding } });
      expect(response.status(), `${url} as ${encoding}`).toBe(200);
      expect(response.headers()["content-encoding"], `${url} as ${encoding}`).toBe(encoding);
      expect(response.headers()["cache-control"]).toBe(YEAR_IMMUTABLE);
      expect(response.headers()["vary"]?.toLowerCase()).toContain("accept-encoding");
    }
    const plain = await request.get(url, { headers: { "Accept-Encoding": "identity" } });
    expect(plain.status()).toBe(200);
    expect(plain.headers()["content-encoding"]).toBeUndefined();
  }

  // The page itself is never cached: it names the files of the build that serves it.
  const pageResponse = await request.get("/");
  expect(pageResponse.headers()["cache-control"]).toBe("no-store");
  // A name that is not there is a plain 404, not the application's page.
  expect((await request.get("/pkg/dioptra-accounts.missing.wasm")).status()).toBe(404);
});
