import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';
import { colleagues } from '../../fixtures/company.js';
import { hashSeed } from '../../servers/core/rng.js';

const DAY = 86_400_000;
const VENDORS = ['crusoe', 'instaclustr', 'k2', 'octopai', 'opsera'];
type Emu = ReturnType<ReturnType<typeof useEmulator>['get']>;
// Hashes of the history as generated before the volume switch existed: a change here changes every user's data.
const PINNED: Record<string, string> = {
  crusoe: '42e9620f2068cb27fe754adc03164dc684fe2ded3a586dd2cb5a4a602deaf031',
  instaclustr: '1b77ce1fee77cbe3024b1345ededc62acc9754a3b756eb4416329fb509908254',
  k2: '38ce2e04c53fcc45a6515c6b15014b73e5bdcb391f0a590529a7c52774bad232',
  octopai: '49c8f8b8e3dd821ca1710f6d4f8f152391b66b5e94ca52f0f81b82d7fb27da77',
  opsera: '8f57fa37e8cbbd7cad8c5e157d5a9c89689489988fa8aeb44a254e5d227a9a43',
};

/** sha256 of a vendor's generated history (records as rendered) on a few days before the frozen now. */
function historyHash(emu: Emu, vendor: string): string {
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
  for (const vendor of VENDORS) {
    it(vendor, () => {
      const got = historyHash(emu.get(), vendor);
      expect(got).toBe(PINNED[vendor]);
    });
  }
});

describe('an explicit volume of 1 is the same history', () => {
  const emu = useEmulator({ now: FROZEN_NOW, config: Object.fromEntries(VENDORS.map((v) => [v, { volume: 1 }])) });
  for (const vendor of VENDORS) it(vendor, () => expect(historyHash(emu.get(), vendor)).toBe(PINNED[vendor]));
});

describe('a volume above 1: more people and resources of the same company', () => {
  const one = useEmulator({ now: FROZEN_NOW });
  const three = useEmulator({ now: FROZEN_NOW, config: Object.fromEntries(VENDORS.map((v) => [v, { volume: 3 }])) });
  const day = Math.floor(Date.parse(FROZEN_NOW) / DAY) - 1;
  const gen = (e: Emu, vendor: string) => e.runtimes.get(vendor)!.instance.generate!(day * DAY, (day + 1) * DAY, day);

  for (const vendor of VENDORS) {
    it(`${vendor}: about three times the records, none repeated, every actor resolved`, () => {
      const rt = three.get().runtimes.get(vendor)!;
      const base = gen(one.get(), vendor);
      const more = gen(three.get(), vendor);
      expect(more.length).toBeGreaterThan(2 * base.length);
      expect(more.length).toBeLessThan(5 * base.length);
      const ids = more.map((r) => rt.provider.idOf?.(r) ?? JSON.stringify(r));
      expect(new Set(ids).size).toBe(more.length);
      const actors = new Set(more.map((r) => rt.summarize(r).actor));
      const baseActors = new Set(base.map((r) => one.get().runtimes.get(vendor)!.summarize(r).actor));
      // Other people act too, and every actor is a name or address, never an unresolved id.
      expect(actors.size).toBeGreaterThan(baseActors.size * 2);
      for (const a of actors) expect(a).toMatch(/@|^[a-z][\w.-]*( \(Instaclustr Support\))?$/i);
    });
  }

  it('the new people are colleagues: the company email domain, not one of its own people', () => {
    const emu = three.get();
    const users = gen(emu, 'crusoe').filter((r) => (r as { actor_type: string }).actor_type === 'User');
    const strangers = users.map((r) => (r as { actor_email: string }).actor_email).filter((e) => !emu.company.byEmail.has(e));
    expect(strangers.length).toBeGreaterThan(0);
    for (const e of strangers) expect(e.endsWith(`@${emu.company.domain}`)).toBe(true);
  });

  it('no two people share an address, whatever the number of streams', () => {
    const company = three.get().company;
    const emails = [...company.people.map((p) => p.email)];
    for (let k = 1; k < 300; k++) emails.push(...colleagues(company, hashSeed(three.get().seed, 'volume', k), k).people.map((p) => p.email));
    expect(new Set(emails).size).toBe(emails.length);
  });

  it('instaclustr: the new users work in the organisation and accounts the keys read', () => {
    const creds = three.get().providers.instaclustr.credentials as { accountId: string; organisationId: string };
    const recs = gen(three.get(), 'instaclustr') as Array<{ accountId: string | null; organisationId: string | null }>;
    const accounts = (three.get().runtimes.get('instaclustr')!.instance.manifest!() as { accounts: Array<{ accountId: string }> }).accounts;
    const known = new Set(accounts.map((a) => a.accountId));
    for (const r of recs) expect(r.accountId === null ? r.organisationId === creds.organisationId : known.has(r.accountId)).toBe(true);
    expect(recs.filter((r) => r.accountId === creds.accountId).length).toBeGreaterThan(0);
  });
});
