import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';

describe("the worker's activity rate setting", () => {
  it('takes a rate above 0 and leaves the default to the worker when unset or empty', () => {
    expect(loadConfig({ DBOPS_WORKER_ACTIVITIES_PER_SECOND: '50' }).workerActivitiesPerSecond).toBe(50);
    expect(loadConfig({ DBOPS_WORKER_ACTIVITIES_PER_SECOND: '' }).workerActivitiesPerSecond).toBeUndefined();
  });

  it('refuses a rate that would stop or not parse, naming the variable and what it takes', () => {
    expect(() => loadConfig({ DBOPS_WORKER_ACTIVITIES_PER_SECOND: '0' })).toThrow(/DBOPS_WORKER_ACTIVITIES_PER_SECOND: a number above 0/);
    expect(() => loadConfig({ DBOPS_WORKER_ACTIVITIES_PER_SECOND: 'fast' })).toThrow(/DBOPS_WORKER_ACTIVITIES_PER_SECOND/);
  });
});
