import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's package (ensure_chromium in scripts/lib/setup.sh); OPSCREW_CHROMIUM overrides it. */
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Why each flag: root in CI needs --no-sandbox; the machine's network is closed, so every
 * background connection (component updates, sync, first-run pings, QUIC probes) would be
 * refused noisily and slow the start; the GPU is absent.
 */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function chromiumPath(): string | null {
  const configured = process.env.OPSCREW_CHROMIUM ?? DEFAULT_CHROMIUM;
  return existsSync(configured) ? configured : null;
}

export interface HeadlessChromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Debian's Chromium, headless, with a fresh profile (Playwright makes and removes a temporary
 * one per launch). Throws a clear
 * error when the browser is missing: a browser test never passes by skipping its checks.
 */
export async function launchHeadlessChromium(): Promise<HeadlessChromium> {
  const executablePath = chromiumPath();
  if (executablePath === null) {
    throw new Error(
      `Chromium not found at ${DEFAULT_CHROMIUM} (or OPSCREW_CHROMIUM): install it with ` +
        '`apt-get install chromium` (scripts/lib/setup.sh ensure_chromium does so in CI)',
    );
  }
  // Loaded here, not at the top: every spec imports the test kit, few open a browser.
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: FLAGS,
  });
  return {
    browser,
    close: () => browser.close(),
  };
}
