import type { Logger } from '../../lib/logger';
import { findOnPath, isExecutable, ProvisionError, runCommand } from './processes';

/** The Debian package the browser test drives (a real browser following a page's ack link). */
const CHROMIUM_PACKAGE = 'chromium';

/**
 * Finds Chromium for the browser test: DBOPS_CHROMIUM_PATH, then `chromium` on the PATH; when absent and this is
 * root on Debian, installs Debian's package (about 10 s), like Go builds the Temporal CLI. Playwright's own browser
 * download is not used: its CDN is not a package registry, and this machine reaches only those.
 */
export async function findOrInstallChromium(opts: { chromiumPath?: string; log: Logger }): Promise<string> {
  const { chromiumPath, log } = opts;
  if (chromiumPath) {
    if (!isExecutable(chromiumPath))
      throw new ProvisionError(
        `DBOPS_CHROMIUM_PATH=${chromiumPath} is not an executable file. Point it at a chromium binary, or unset it.`,
      );
    return chromiumPath;
  }
  const found = findOnPath('chromium');
  if (found) return found;
  const aptGet = findOnPath('apt-get');
  if (!aptGet || process.getuid?.() !== 0)
    throw new ProvisionError(
      `no Chromium for the browser test: install it (Debian: apt-get install ${CHROMIUM_PACKAGE}) or set DBOPS_CHROMIUM_PATH`,
    );
  log.info({ package: CHROMIUM_PACKAGE }, "installing Debian's Chromium once for the browser test (about 10 s)");
  const install = () =>
    runCommand(aptGet, ['install', '-y', '--no-install-recommends', CHROMIUM_PACKAGE], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    await install();
  } catch {
    // A new machine's package lists may be stale or missing.
    try {
      await runCommand(aptGet, ['update'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      await install();
    } catch (err) {
      throw new ProvisionError(`installing Chromium with apt-get failed; set DBOPS_CHROMIUM_PATH to a binary.\n${(err as Error).message}`);
    }
  }
  const installed = findOnPath('chromium');
  if (!installed) throw new ProvisionError(`apt-get installed ${CHROMIUM_PACKAGE} but no chromium is on the PATH`);
  return installed;
}
