import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Links in a page that let its recipient act without a shell: `ack` (a confirmation page whose button acknowledges)
 * and `open` (the incident, read only). A link is signed for one person and one incident (HMAC-SHA256 with
 * DBOPS_LINK_SECRET) and expires; an ack link works once (the API records its id when it acknowledged).
 */
export type PageLinkPurpose = 'ack' | 'open';

export interface PageLinkConfig {
  /** DBOPS_LINK_SECRET: at least 32 characters. Never logged, never in a link. */
  secret: string;
  /** DBOPS_PUBLIC_URL: where people reach the dbops API, e.g. https://dbops.example.com */
  publicUrl: string;
  /** How long a link works after the page was sent (by the workflow's clock). */
  ttlMs: number;
}

export interface PageLink {
  purpose: PageLinkPurpose;
  incidentId: string;
  person: string;
  /** Unix seconds. */
  expiresAt: number;
  /** Unique per notification, person and purpose: an ack link's use is recorded under it. */
  linkId: string;
  /** The incident's workflow id (links made since it was added): finds the incident before the audit store has it. */
  workflowId?: string;
}

export type LinkRefusal = 'malformed' | 'tampered' | 'expired' | 'wrong-purpose';

/** The notifications that carry links: the ones asking somebody to respond to an incident. */
const LINKED_KINDS = new Set(['page', 'escalation', 'reminder']);

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`dbops-page-link.v1.${payload}`).digest();

export function signPageLink(secret: string, link: PageLink): string {
  const payload = b64(
    JSON.stringify({ a: link.purpose, i: link.incidentId, p: link.person, x: link.expiresAt, n: link.linkId, w: link.workflowId }),
  );
  return `${payload}.${b64(mac(secret, payload))}`;
}

/** The link a token names, if its signature is this secret's, it has not expired and it is for `purpose`. */
export function verifyPageLink(
  secret: string,
  token: string,
  purpose: PageLinkPurpose,
  nowMs = Date.now(),
): { ok: true; link: PageLink } | { ok: false; reason: LinkRefusal } {
  const m = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, payload, signature] = m;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
  let data: { a?: unknown; i?: unknown; p?: unknown; x?: unknown; n?: unknown; w?: unknown };
  try {
    data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { a, i, p, x, n, w } = data ?? {};
  if (
    (a !== 'ack' && a !== 'open') ||
    typeof i !== 'string' ||
    typeof p !== 'string' ||
    typeof n !== 'string' ||
    typeof x !== 'number' ||
    !Number.isFinite(x) ||
    (w !== undefined && (typeof w !== 'string' || !w.startsWith('incident/')))
  )
    return { ok: false, reason: 'malformed' };
  if (a !== purpose) return { ok: false, reason: 'wrong-purpose' };
  if (x * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, link: { purpose: a, incidentId: i, person: p, expiresAt: x, linkId: n, ...(w !== undefined && { workflowId: w }) } };
}

/** What a notification needs to be linked: which incident, which page, and when the workflow sent it. */
export interface LinkableNotification {
  notificationId: string;
  subjectId: string;
  workflowId?: string;
  kind: string;
  occurredAt: string;
}

export interface PersonLinks {
  ack: string;
  open: string;
  expiresAt: string;
  /** The incident in the console (`<public URL>/incidents/<INC id>`): not signed, the console signs people in. */
  incident: string;
}

/**
 * The ack and open links of a notification for one person, or undefined when the notification asks nothing of an
 * incident's responders (a report, a checklist's reminder). Made from the notification alone (its id and its time),
 * so every channel and every retried delivery of one page carries the same links, and using one uses them all.
 */
export function pageLinksFor(config: PageLinkConfig, n: LinkableNotification, person: string): PersonLinks | undefined {
  if (!LINKED_KINDS.has(n.kind) || !n.subjectId.startsWith('INC-')) return undefined;
  const sentAt = Date.parse(n.occurredAt);
  const expiresAt = Math.floor(((Number.isFinite(sentAt) ? sentAt : Date.now()) + config.ttlMs) / 1000);
  const base = config.publicUrl.replace(/\/+$/, '');
  const url = (purpose: PageLinkPurpose) => {
    const linkId = createHash('sha256').update(`${n.notificationId}\n${person}\n${purpose}`).digest('hex').slice(0, 32);
    return `${base}/links/${purpose}/${signPageLink(config.secret, { purpose, incidentId: n.subjectId, person, expiresAt, linkId, workflowId: n.workflowId })}`;
  };
  return {
    ack: url('ack'),
    open: url('open'),
    expiresAt: new Date(expiresAt * 1000).toISOString(),
    incident: `${base}/incidents/${encodeURIComponent(n.subjectId)}`,
  };
}
