/**
 * Build step (`npm run build`): bundles workflows/ once into dist/workflow-bundle.js, so production workers load it
 * (DBOPS_WORKFLOW_BUNDLE) instead of running webpack at every start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from './createWorker';

export const DEFAULT_BUNDLE_PATH = path.resolve(__dirname, '../dist/workflow-bundle.js');

export async function buildWorkflowBundle(outFile = DEFAULT_BUNDLE_PATH): Promise<string> {
  const noop = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop },
  });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  // Written beside and renamed: a worker starting meanwhile never reads half a bundle.
  fs.writeFileSync(`${outFile}.tmp`, code);
  fs.renameSync(`${outFile}.tmp`, outFile);
  return outFile;
}

if (require.main === module) {
  buildWorkflowBundle(process.argv[2] ? path.resolve(process.argv[2]) : undefined).then(
    (file) => console.log(`workflow bundle written to ${path.relative(process.cwd(), file)}`),
    (err) => {
      console.error(`building the workflow bundle failed: ${err?.stack ?? err}`);
      process.exit(1);
    },
  );
}
