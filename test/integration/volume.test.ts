import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const DAY = 86_400_000;

/** sha256 of a vendor's generated history (records as rendered) on a few days before the frozen now. */
function historyHash(emu: ReturnType<ReturnType<typeof useEmulator>['get']>, vendor: string): string {
  const rt = emu.runtimes.get(vendor)!;
  const today = Math.floor(Date.parse(FROZEN_NOW) / DAY);
  const h = createHash('sha256');
  for (const bucket of [today - 1, today - 6, today - 29]) {
    const recs = rt.instance.generate!(bucket * DAY, (bucket + 1) * DAY, bucket);
    expect(recs.length, `${vendor} generates history on day ${bucket}`).toBeGreaterThan(0);
    for (const r of recs) h.update(JSON.stringify(rt.provider.render ? rt.provider.render(r) : r)).update('\n');
  }
  return h.digest('hex');
}

describe('volume 1 keeps the history of every seed byte for byte', () => {
  const emu = useEmulator({ now: FROZEN_NOW });
  // Hashes of the history as generated before the volume switch existed: a change here changes every user's data.
  const PINNED: Record<string, string> = {
    crusoe: '42e9620f2068cb27fe754adc03164dc684fe2ded3a586dd2cb5a4a602deaf031',
    instaclustr: '1b77ce1fee77cbe3024b1345ededc62acc9754a3b756eb4416329fb509908254',
    k2: '38ce2e04c53fcc45a6515c6b15014b73e5bdcb391f0a590529a7c52774bad232',
    octopai: '49c8f8b8e3dd821ca1710f6d4f8f152391b66b5e94ca52f0f81b82d7fb27da77',
    opsera: '8f57fa37e8cbbd7cad8c5e157d5a9c89689489988fa8aeb44a254e5d227a9a43',
  };
  for (const vendor of ['crusoe', 'instaclustr', 'k2', 'octopai', 'opsera']) {
    it(vendor, () => {
      const got = historyHash(emu.get(), vendor);
      expect(got).toBe(PINNED[vendor]);
    });
  }
});
