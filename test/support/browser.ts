import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';

/** The run's real Chromium (Debian's package), driven by Playwright. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    // As root on a closed network: no sandbox, and none of Chromium's own calls out (they are refused here).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
