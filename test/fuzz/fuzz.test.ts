/**
 * Property-based bad input for every endpoint of every vendor (test/support/fuzz.ts): every case
 * must get a valid 2xx or a 4xx in the vendor's error shape (the emulator checks each response
 * against the spec), never a 5xx, a hang or a crash. FUZZ_RUNS cases per vendor (1,000 in
 * `npm test`, 10,000 in `npm run fuzz`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { providers } from '../../servers/registry.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';
import { fuzzProvider } from '../support/fuzz.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const env = useEmulator({ now: FROZEN_NOW, config: { instaclustr: { rateLimitPerSecond: 0 } } });
const counts: Record<string, Record<string, number>> = {};
afterAll(() => {
  console.log(`fuzz cases per vendor (status class counts): ${JSON.stringify(counts)}`);
});

describe.each(providers.map((p) => [p.id, p] as const))('%s: bad input never gets a 5xx', (vendor, provider) => {
  it(`${RUNS} random and adversarial requests`, async () => {
    const tally = await fuzzProvider(env.get(), provider, { runs: RUNS, seed: Number(process.env.FUZZ_SEED ?? 424242) });
    counts[vendor] = tally;
    expect(Object.values(tally).reduce((a, b) => a + b, 0)).toBe(RUNS);
    // Every class of answer was exercised: some cases got through to a 2xx, others were refused.
    expect(tally['2xx'] ?? 0).toBeGreaterThan(0);
    expect(tally['4xx'] ?? 0).toBeGreaterThan(0);
  }, 600_000);
});
