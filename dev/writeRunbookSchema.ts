/** Writes runbooks/runbook.schema.json, the JSON Schema editors check a runbook file with (test/unit/runbookFile.test.ts keeps it in sync). */
import fs from 'node:fs';
import path from 'node:path';
import { runbookJsonSchema } from '../runbooks/runbookFileSchema';

export const RUNBOOK_SCHEMA_FILE = path.resolve(__dirname, '../runbooks/runbook.schema.json');
export const runbookSchemaText = () => `${JSON.stringify(runbookJsonSchema(), null, 2)}\n`;

if (require.main === module) fs.writeFileSync(RUNBOOK_SCHEMA_FILE, runbookSchemaText());
