/** `dbops token …` and `dbops integration …`: credentials are rows of the audit store; whoever may write to it (DATABASE_URL) administers them. */
import { createCredential, listCredentials, revokeCredential, type Credential } from '../../db/credentials/credentials';
import { personName } from '../../runbooks/roster';
import { DEFAULT_TOKEN_FILE } from './apiClient';
import { config, withPool } from './connections';
import { rosterOfConfig } from './rosterOfConfig';
import { say, sayOutput, sayTable, tell, type OutputFormat } from './output';
import { NotFoundError } from './cliErrors';
import { UsageError } from './usageError';

type Kind = Credential['kind'];

const INTEGRATION_NAME = /^[a-z0-9][a-z0-9._-]{0,47}$/;

export async function printCredentials(kind: Kind, o: { output?: OutputFormat }) {
  const rows = await withPool((pool) => listCredentials(pool, kind));
  sayOutput(o.output, rows, () => {
    const roster = kind === 'person' ? rosterOfConfig() : undefined;
    const subjectOf = (id: string) => {
      const name = roster && personName(roster, id, '');
      return name ? `${name} (${id})` : id;
    };
    const table = rows.map((c) => ({
      id: c.id,
      subject: subjectOf(c.subject),
      label: c.label,
      created: c.createdAt,
      revoked: c.revokedAt ?? '',
    }));
    sayTable(table, [
      ['id', 'id'],
      ['subject', kind],
      ['label', 'label'],
      ['created', 'created'],
      ['revoked', 'revoked'],
    ]);
  });
}

export async function createToken(o: { person: string; label: string }) {
  const roster = rosterOfConfig();
  if (!roster.people.some((p) => p.id === o.person))
    throw new UsageError(`'${o.person}' is not on the roster (${config.rosterPath}); people: ${roster.people.map((p) => p.id).join(', ')}`);
  const { credential, secret } = await withPool((pool) => createCredential(pool, 'person', o.person, o.label));
  tell(`token ${credential.id} for ${o.person}: shown once, keep it in DBOPS_TOKEN or a 0600 file (${DEFAULT_TOKEN_FILE})`);
  say(secret);
}

export async function createIntegrationKey(name: string, o: { label: string }) {
  if (!INTEGRATION_NAME.test(name)) throw new UsageError(`integration name '${name}': lowercase letters, digits, . _ - (at most 48)`);
  const { credential, secret } = await withPool((pool) =>
    createCredential(pool, 'integration', name, o.label, { keys: config.secretKeys }),
  );
  tell(
    `key ${credential.id} for integration '${name}': shown once. Send it as Authorization: Bearer <key>, or sign with ` +
      `HMAC-SHA256 keyed with sha256hex(key) over "<unix seconds>.<body>" (headers x-dbops-integration, x-dbops-timestamp, x-dbops-signature: sha256=<hex>)`,
  );
  say(secret);
}

export async function revoke(kind: Kind, id: string) {
  if (!/^\d{1,15}$/.test(id)) throw new UsageError(`'${id}' is not a credential id (a number, as listed)`);
  if (!(await withPool((pool) => revokeCredential(pool, Number(id), kind))))
    throw new NotFoundError(kind === 'person' ? `not found: live token ${id}` : `not found: live integration key ${id}`);
  say(`credential ${id} revoked`);
}
