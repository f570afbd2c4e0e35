/** Runs named dependency checks, each bounded by a timeout, and reports which are down and why. */
export type HealthCheck = () => Promise<unknown>;

export interface HealthReport {
  ok: boolean;
  checks: Record<string, 'ok' | `down: ${string}`>;
}

export async function runHealthChecks(checks: Record<string, HealthCheck>, timeoutMs = 2000): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, `down: ${(err as Error).message?.split('\n')[0] ?? String(err)}`] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok: entries.every(([, status]) => status === 'ok'), checks: Object.fromEntries(entries) };
}
