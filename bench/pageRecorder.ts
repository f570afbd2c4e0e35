import type { NotificationChannel } from '../activities/notify/channels';

/** The title every bench alert carries, so a delivered notification names the alert it answers. */
export const alertTitle = (key: string) => `bench ${key}`;
const KEY_IN_MESSAGE = /: bench (\S+) —/;

/**
 * A notification channel that delivers nothing and remembers, per alert key, when its first page and its first
 * escalation reached the channel: the moment a person would have been woken.
 */
export function pageRecorder() {
  const firstPage = new Map<string, number>();
  const firstEscalation = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const channel: NotificationChannel = {
    name: 'bench-recorder',
    deliver: async (n) => {
      const key = KEY_IN_MESSAGE.exec(n.message)?.[1];
      if (!key) return;
      const at = Date.now();
      const seen = n.kind === 'page' ? firstPage : n.kind === 'escalation' ? firstEscalation : undefined;
      if (!seen || seen.has(key)) return;
      seen.set(key, at);
      waiters.get(`${n.kind}:${key}`)?.();
    },
  };
  return {
    channel,
    firstPage,
    firstEscalation,
    /** Resolves when the alert's first notification of this kind was delivered (at once if it already was). */
    waitFor(kind: 'page' | 'escalation', key: string): Promise<number> {
      const seen = kind === 'page' ? firstPage : firstEscalation;
      const at = seen.get(key);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiters.set(`${kind}:${key}`, () => resolve(seen.get(key)!)));
    },
  };
}
