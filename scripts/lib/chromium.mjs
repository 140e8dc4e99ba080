// Playwright drives Debian's Chromium: Playwright's own browser download cannot work offline.
import { existsSync } from "node:fs";
import { ensureDebianPackages } from "./services.mjs";

export async function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(path)) await ensureDebianPackages(["chromium"], "The end-to-end tests' browser");
  if (!existsSync(path)) throw new Error(`Chromium not found at ${path}; set CHROMIUM_PATH.`);
  return path;
}
