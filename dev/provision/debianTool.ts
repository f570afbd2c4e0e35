import type { Logger } from '../../lib/logger';
import { findOnPath, isExecutable, ProvisionError, runCommand } from './processes';

/** A program the tests drive, found or installed from Debian's package of the same name. */
export interface DebianTool {
  /** The binary's name on the PATH, and the Debian package that ships it. */
  binary: string;
  /** Its name in messages ("Chromium"). */
  name: string;
  /** What needs it ("the browser test"). */
  purpose: string;
  /** The environment variable that points at a binary instead (DBOPS_CHROMIUM_PATH). */
  pathVariable: string;
}

/** The real clients the integration tests drive beside the servers. */
export const TEST_TOOLS = {
  /** A real browser following a page's ack link. */
  chromium: { binary: 'chromium', name: 'Chromium', purpose: 'the browser test', pathVariable: 'DBOPS_CHROMIUM_PATH' },
  /** A real terminal whose screen shows what the CLI printed. */
  tmux: { binary: 'tmux', name: 'tmux', purpose: 'the terminal test', pathVariable: 'DBOPS_TMUX_PATH' },
} satisfies Record<string, DebianTool>;

/**
 * Finds a tool a test drives: the path its variable gives, then the PATH; when absent and this is root on Debian,
 * installs Debian's package (Chromium about 10 s), like Go builds the Temporal CLI. Debian's packages, not a vendor's
 * download (Playwright's browser CDN): this machine reaches only package registries.
 */
export async function findOrInstallDebianTool(tool: DebianTool, log: Logger): Promise<string> {
  const { binary, name, purpose, pathVariable } = tool;
  const givenPath = process.env[pathVariable];
  if (givenPath) {
    if (!isExecutable(givenPath))
      throw new ProvisionError(`${pathVariable}=${givenPath} is not an executable file. Point it at a ${binary} binary, or unset it.`);
    return givenPath;
  }
  const found = findOnPath(binary);
  if (found) return found;
  const aptGet = findOnPath('apt-get');
  if (!aptGet || process.getuid?.() !== 0)
    throw new ProvisionError(`no ${name} for ${purpose}: install it (Debian: apt-get install ${binary}) or set ${pathVariable}`);
  log.info({ package: binary }, `installing Debian's ${name} once for ${purpose}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => runCommand(aptGet, ['install', '-y', '--no-install-recommends', binary], { env });
  try {
    await install();
  } catch {
    // A new machine's package lists may be stale or missing.
    try {
      await runCommand(aptGet, ['update'], { env });
      await install();
    } catch (err) {
      throw new ProvisionError(`installing ${name} with apt-get failed; set ${pathVariable} to a binary.\n${(err as Error).message}`);
    }
  }
  const installed = findOnPath(binary);
  if (!installed) throw new ProvisionError(`apt-get installed ${binary} but no ${binary} is on the PATH`);
  return installed;
}
