/**
 * Build step (`npm run build`): bundles the CLI into dist/cli/main.js, so bin/dbops starts plain JavaScript instead of
 * transpiling TypeScript at every command (most of `dbops --help`'s time). Packages stay in node_modules; the command
 * modules stay lazy (esbuild evaluates a dynamically imported module only when the import runs). Beside it,
 * sources.txt lists the files it was built from: bin/dbops falls back to tsx when any of them is newer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '../..');
export const CLI_BUNDLE = path.join(ROOT, 'dist/cli/main.js');

export async function buildCli(outFile = CLI_BUNDLE): Promise<string> {
  const result = await build({
    entryPoints: [path.join(__dirname, 'main.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    outfile: outFile,
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const sources = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/'));
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  // The source list first and the bundle last (renamed into place): a bundle on disk always has its list beside it.
  fs.writeFileSync(path.join(path.dirname(outFile), 'sources.txt'), `${sources.join('\n')}\n`);
  fs.writeFileSync(`${outFile}.tmp`, result.outputFiles[0].contents);
  fs.renameSync(`${outFile}.tmp`, outFile);
  return outFile;
}

if (require.main === module) {
  buildCli(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (file) => console.log(`CLI bundle written to ${path.relative(process.cwd(), file)}`),
    (err) => {
      console.error(`building the CLI bundle failed: ${err?.stack ?? err}`);
      process.exit(1);
    },
  );
}
