/**
 * Debian's chromium driven by playwright-core (Playwright's own browser
 * download does not work on these machines), and screenshot checks: each
 * screen a test looks at is captured, saved under dist/test-screenshots for
 * people, and decoded to check it is not blank (one colour).
 */
import fs from "node:fs";
import path from "node:path";
import { PNG } from "pngjs";
import { chromium, type Browser, type Locator } from "playwright-core";

export const CHROMIUM = process.env.WARDEN_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOT_DIR = path.join(__dirname, "../../dist/test-screenshots");

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Debian's chromium is missing (${CHROMIUM}): the viewer's browser tests need it. Install it with: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

export interface ScreenshotStats {
  width: number;
  height: number;
  colours: number;
  /** share of the pixels that have the most common colour */
  dominant: number;
}

/** Decodes a PNG and counts its colours. */
export function screenshotStats(png: Buffer): ScreenshotStats {
  const img = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < img.data.length; i += 4) {
    const key = img.data.readUInt32BE(i);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const pixels = img.width * img.height;
  return { width: img.width, height: img.height, colours: counts.size, dominant: pixels ? Math.max(...counts.values()) / pixels : 1 };
}

/**
 * Screenshots `target` (it must be visible), saves it as NAME.png and
 * checks it holds a picture: not empty, more than a couple of colours, and
 * no single colour covering (nearly) all of it.
 */
export async function checkScreen(target: Locator, name: string): Promise<ScreenshotStats> {
  await target.waitFor({ state: "visible" });
  const png = await target.screenshot();
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  fs.writeFileSync(path.join(SCREENSHOT_DIR, `${name}.png`), png);
  const stats = screenshotStats(png);
  expect(stats.width).toBeGreaterThan(50);
  expect(stats.height).toBeGreaterThan(20);
  expect(stats.colours).toBeGreaterThan(4);
  expect(stats.dominant).toBeLessThan(0.995);
  return stats;
}
