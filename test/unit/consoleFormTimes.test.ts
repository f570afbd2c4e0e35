import { describe, expect, it } from 'vitest';
import { localInstant } from '../../client/console/formValues';

/**
 * The console's maintenance and override forms take times as a browser's `datetime-local` sends them (a wall clock,
 * no zone): read in the team's zone, as every time on the console is shown, through its daylight-saving change.
 */
describe('a console form’s date and time, in the team’s zone', () => {
  const at = (value: string) => localInstant({ start: value }, 'start', 'Start', 'Europe/Berlin');

  it('reads the wall clock in the team’s zone, winter and summer', () => {
    expect(at('2026-12-06T22:00')).toBe(Date.parse('2026-12-06T21:00:00Z'));
    expect(at('2026-07-01T02:30')).toBe(Date.parse('2026-07-01T00:30:00Z'));
  });

  it('leaves a blank field unset and names a malformed one with what it accepts', () => {
    expect(at('  ')).toBeUndefined();
    expect(localInstant({}, 'start', 'Start', 'Europe/Berlin')).toBeUndefined();
    const bad = at('tomorrow 2am');
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error).message).toBe("Start 'tomorrow 2am': a date and time, e.g. 2026-12-06T22:00 (Europe/Berlin)");
    expect(at('2026-13-40T25:00')).toBeInstanceOf(Error);
  });
});
