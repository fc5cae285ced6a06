// The live-vendor suites, pointed at the emulator with its manifest credentials: they must find
// no difference from the specs (and this proves they work before anyone points them at a vendor).
import { describe, expect, it } from 'vitest';
import { liveSuites } from '../../contracts/live/suites.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, config: { instaclustr: { rateLimitPerSecond: 0 } } });

describe.each(liveSuites.map((s) => [s.vendor, s] as const))('live suite %s against the emulator', (vendor, suite) => {
  it('finds no difference from the spec', async () => {
    const p = env.get().manifest().providers[vendor];
    const results = await suite.run({ baseUrl: p.baseUrl, credentials: p.credentials });
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.filter((r) => r.problems.length)).toEqual([]);
  });
});
