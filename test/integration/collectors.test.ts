// The example collectors (examples/collectors/) through a simulated day: the clock advances in
// steps between polls while throttling (429 with Retry-After), 503s and dropped connections are
// switched on, then `verifyCollected` checks that every record arrived exactly once. The naive
// collectors run through the same day and are caught with the exact records they lost or doubled.
import { describe, expect, it } from 'vitest';
import { verifyCollected, type VerifyReport } from '../../contracts/verify.js';
import { crusoeCollector } from '../../examples/collectors/crusoe.js';
import { instaclustrCollector } from '../../examples/collectors/instaclustr.js';
import { k2Collector } from '../../examples/collectors/k2.js';
import { NaiveCursorCollector, NaiveOffsetCollector } from '../../examples/collectors/naive.js';
import { octopaiCollector } from '../../examples/collectors/octopai.js';
import { opseraCollector } from '../../examples/collectors/opsera.js';
import { startEmulator, type Emulator } from '../../servers/index.js';

const START = '2026-03-10T00:00:00.000Z';
const MIN = 60_000;

interface Poller {
  records: unknown[];
  poll(now: number): Promise<unknown>;
}

/** Throttling bursts, 503s and dropped connections: what a live API does to a collector. */
const FAULTS: unknown[] = [{ throttle: { perSecond: 20, burst: 8, retryAfterSeconds: 1 } }, { errorRate: 0.08, errorStatus: 503 }, { dropRate: 0.03 }];
/** The gauntlet profile adds slow answers and an ingestion delay of up to two minutes (seed 5: Retry-After 1 s). */
const GAUNTLET = [{ profile: 'gauntlet', seed: 5 }];

async function control(emu: Emulator, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(emu.controlUrl + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(r.status, `${method} ${path}`).toBeLessThan(300);
  return r.json();
}

const nowOf = async (emu: Emulator) => Date.parse((await control(emu, 'GET', '/_emulator/clock')).now);

/** Steps of `stepMs` over a day, a poll after each; then one poll past the end, so the last step's delays pass. */
async function simulateDay(
  emu: Emulator,
  vendor: string,
  collector: Poller,
  stepMs: number,
  polls: number[] = [],
  beforePoll?: (now: number) => Promise<void>,
  faults: unknown[] = GAUNTLET,
): Promise<number> {
  await control(emu, 'PUT', `/_emulator/faults/${vendor}`, faults);
  let now = Date.parse(START);
  while (now < Date.parse(START) + 24 * 60 * MIN) {
    await control(emu, 'POST', '/_emulator/clock', { advance: stepMs / 1000 });
    now = await nowOf(emu);
    polls.push(now);
    await beforePoll?.(now);
    await collector.poll(now);
  }
  await control(emu, 'POST', '/_emulator/clock', { advance: 'PT10M' });
  await collector.poll(await nowOf(emu));
  await control(emu, 'DELETE', `/_emulator/faults/${vendor}`);
  return now;
}

async function check(emu: Emulator, vendor: string, feed: string, end: number, records: unknown[], timeOf: (r: any) => number): Promise<VerifyReport> {
  // What arrived after the checked window belongs to the next one.
  const inWindow = records.filter((r) => timeOf(r) <= end);
  return verifyCollected({ vendor, feed, from: START, to: new Date(end).toISOString(), control: emu.controlUrl, records: inWindow });
}

const clean = (r: VerifyReport) => ({ missing: r.missing.count, duplicated: r.duplicated.count, changed: r.changed.count, unexpected: r.unexpected.count });
const NONE = { missing: 0, duplicated: 0, changed: 0, unexpected: 0 };

async function withEmulator(vendor: string, run: (emu: Emulator) => Promise<void>): Promise<void> {
  // Every answer, the gauntlet's 429s and 503s included, is checked against the vendor's spec.
  const emu = await startEmulator({ portBase: 0, now: START, only: [vendor], validateResponses: true });
  try {
    await run(emu);
  } finally {
    await emu.close();
  }
  expect(emu.violations, 'responses that do not conform to their OpenAPI spec').toEqual([]);
}

const start = Date.parse(START);

/** An account action that happened five seconds before the poll: not yet shown (Instaclustr's 20-second refresh) unless a step just passed. */
const justBefore = (emu: Emulator) => async (now: number) => {
  const at = new Date(now - 5000).toISOString();
  await control(emu, 'POST', '/_emulator/providers/instaclustr/events', { action: 'CREATE_CLUSTER', timestamp: at, userName: 'live-user' });
};
const creds = (emu: Emulator, v: string) => emu.providers[v].credentials as Record<string, any>;

describe('example collectors pass a simulated day under the gauntlet', { timeout: 90_000 }, () => {
  it('crusoe', async () => {
    await withEmulator('crusoe', async (emu) => {
      const c = creds(emu, 'crusoe');
      const collector = crusoeCollector(
        { baseUrl: emu.providers.crusoe.baseUrl, accessKeyId: c.accessKeyId, secretKey: c.secretKey, organizationId: c.organizationId },
        { start },
      );
      const end = await simulateDay(emu, 'crusoe', collector, 30 * MIN);
      const r = await check(emu, 'crusoe', 'audit-logs', end, collector.records, (e) => Date.parse(e.start_time));
      expect(r.expected).toBeGreaterThan(10);
      expect(clean(r)).toEqual(NONE);
    });
  });

  it('instaclustr (steps off the 20-second refresh)', async () => {
    await withEmulator('instaclustr', async (emu) => {
      const c = creds(emu, 'instaclustr');
      const collector = instaclustrCollector({ baseUrl: emu.providers.instaclustr.baseUrl, username: c.username, apiKey: c.provisioningApiKey }, { start });
      const end = await simulateDay(emu, 'instaclustr', collector, 17 * MIN + 13_000, [], justBefore(emu));
      const r = await check(emu, 'instaclustr', 'account', end, collector.records, (a) => Date.parse(a.timestamp));
      expect(r.expected).toBeGreaterThan(10);
      expect(clean(r)).toEqual(NONE);
    });
  });

  it('octopai (tokens expire between polls and pages; events land while it pages)', async () => {
    await withEmulator('octopai', async (emu) => {
      const c = creds(emu, 'octopai');
      const landing = arrivals(emu);
      const paths: string[] = [];
      const counting: typeof fetch = (input, init) => {
        paths.push(new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).pathname);
        return landing(input, init);
      };
      const target = { baseUrl: emu.providers.octopai.baseUrl, userName: c.userName, password: c.password, fetch: counting };
      const collector = octopaiCollector(target, { start }, 20);
      const end = await simulateDay(emu, 'octopai', collector, 30 * MIN);
      // Access tokens live two hours of the emulator clock: the day needed refreshes.
      expect(paths.filter((p) => p === '/api/UserAccount/RefreshToken').length).toBeGreaterThan(5);
      const r = await check(emu, 'octopai', 'user-events', end, collector.records, (e) => Date.parse(e.eventDate));
      expect(r.expected).toBeGreaterThan(10);
      expect(clean(r)).toEqual(NONE);
    });
  });

  it('k2 lookup-events', async () => {
    await withEmulator('k2', async (emu) => {
      const c = creds(emu, 'k2');
      const collector = k2Collector(
        { baseUrl: emu.providers.k2.baseUrl, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, region: c.region },
        { start },
      );
      const end = await simulateDay(emu, 'k2', collector, 30 * MIN);
      const r = await check(emu, 'k2', 'lookup-events', end, collector.records, (e) => e.EventTime * 1000);
      expect(r.expected).toBeGreaterThan(10);
      expect(clean(r)).toEqual(NONE);
    });
  });

  it('opsera actions', async () => {
    await withEmulator('opsera', async (emu) => {
      const collector = opseraCollector({ baseUrl: emu.providers.opsera.baseUrl, token: creds(emu, 'opsera').tokens.api }, { start });
      const end = await simulateDay(emu, 'opsera', collector, 30 * MIN);
      const r = await check(emu, 'opsera', 'actions', end, collector.records, (a) => Date.parse(a.createdAt));
      expect(r.expected).toBeGreaterThan(10);
      expect(clean(r)).toEqual(NONE);
    });
  });
});

/**
 * A fetch for Octopai's client under which, after every page of UserEvents, the clock moves a
 * second and one event lands at the head of the log: a live log while a collector pages.
 * `pageEnds` collects the id of the last event of every full page.
 */
function arrivals(emu: Emulator, pageEnds?: Set<string>, pageSize = 20): typeof fetch {
  let n = 0;
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes('/UserEvents') || res.status !== 200) return res;
    const page = (await res.clone().json()) as Array<{ id: number }>;
    if (pageEnds && page.length === pageSize) pageEnds.add(String(page[page.length - 1].id));
    await control(emu, 'POST', '/_emulator/clock', { advance: 1 });
    const at = new Date(await nowOf(emu)).toISOString();
    await control(emu, 'POST', '/_emulator/providers/octopai/events', {
      eventType: 'Login',
      eventDate: at,
      ipAddress: '192.0.2.7',
      userName: `arrival-${++n}`,
    });
    return res;
  };
}

describe('naive collectors are caught', { timeout: 90_000 }, () => {
  it('a timestamp cursor with no overlap loses exactly what was not yet visible at each poll', async () => {
    await withEmulator('instaclustr', async (emu) => {
      const c = creds(emu, 'instaclustr');
      const naive = new NaiveCursorCollector({ baseUrl: emu.providers.instaclustr.baseUrl, username: c.username, apiKey: c.provisioningApiKey }, start);
      const polls: number[] = [];
      const end = await simulateDay(emu, 'instaclustr', naive, 17 * MIN + 13_000, polls, justBefore(emu), FAULTS);
      const r = await check(emu, 'instaclustr', 'account', end, naive.records, (a) => Date.parse(a.timestamp));
      // Instaclustr shows actions in 20-second steps: at each poll, those of (last step, poll] were hidden.
      const truth = (await control(emu, 'GET', `/_emulator/providers/instaclustr/truth?feed=account&from=${START}&to=${new Date(end).toISOString()}`))
        .records as any[];
      const hidden = truth.filter((a) => polls.some((p) => Date.parse(a.timestamp) > Math.floor(p / 20_000) * 20_000 && Date.parse(a.timestamp) <= p));
      expect(hidden.length).toBeGreaterThan(0);
      expect(r.missing.count).toBe(hidden.length);
      expect(r.missing.first).toEqual(hidden.slice(0, r.missing.first.length));
      expect({ ...clean(r), missing: 0 }).toEqual(NONE);
    });
  });

  it('offset paging without a pinned end reads the event at each page boundary twice', async () => {
    await withEmulator('octopai', async (emu) => {
      const c = creds(emu, 'octopai');
      const pageEnds = new Set<string>();
      const naive = new NaiveOffsetCollector(
        { baseUrl: emu.providers.octopai.baseUrl, userName: c.userName, password: c.password, fetch: arrivals(emu, pageEnds) },
        start,
        20,
      );
      const end = await simulateDay(emu, 'octopai', naive, 30 * MIN, [], undefined, FAULTS);
      const r = await check(emu, 'octopai', 'user-events', end, naive.records, (e) => Date.parse(e.eventDate));
      expect(pageEnds.size).toBeGreaterThan(0);
      const doubled = new Set(naive.records.map((e) => String(e.id)).filter((id, i, all) => all.indexOf(id) !== i));
      expect([...doubled].sort()).toEqual([...pageEnds].sort());
      // The poll past the end doubles records of the next window; the report covers the day.
      const inDay = new Set(naive.records.filter((e) => Date.parse(e.eventDate) <= end).map((e) => String(e.id)));
      const expected = [...pageEnds].filter((id) => inDay.has(id)).sort();
      expect(r.duplicated.count).toBe(expected.length);
      expect(r.duplicated.first.map((d) => d.identity)).toEqual(expect.arrayContaining(r.duplicated.first.map((d) => d.identity)));
      expect(r.duplicated.first.every((d) => expected.includes(d.identity) && d.times === 2)).toBe(true);
      expect({ ...clean(r), duplicated: 0 }).toEqual(NONE);
    });
  });

  it('the gauntlet alone catches the cursor: it loses records that arrived late', async () => {
    await withEmulator('instaclustr', async (emu) => {
      const c = creds(emu, 'instaclustr');
      const naive = new NaiveCursorCollector({ baseUrl: emu.providers.instaclustr.baseUrl, username: c.username, apiKey: c.provisioningApiKey }, start);
      const end = await simulateDay(emu, 'instaclustr', naive, 30 * MIN, [], justBefore(emu));
      const r = await check(emu, 'instaclustr', 'account', end, naive.records, (a) => Date.parse(a.timestamp));
      expect(r.missing.count).toBeGreaterThan(0);
      expect(r.duplicated.count + r.changed.count + r.unexpected.count).toBe(0);
    });
  });

  it('the gauntlet alone catches the unpinned offset pages: records landing while it pages are read twice', async () => {
    await withEmulator('octopai', async (emu) => {
      const c = creds(emu, 'octopai');
      const naive = new NaiveOffsetCollector({ baseUrl: emu.providers.octopai.baseUrl, userName: c.userName, password: c.password }, start, 20);
      const end = await simulateDay(emu, 'octopai', naive, 30 * MIN);
      const inDay = naive.records.filter((e) => Date.parse(e.eventDate) <= end).map((e) => String(e.id));
      const twice = new Set(inDay.filter((id, i) => inDay.indexOf(id) !== i));
      const r = await check(emu, 'octopai', 'user-events', end, naive.records, (e) => Date.parse(e.eventDate));
      expect(twice.size).toBeGreaterThan(0);
      expect(r.duplicated.count).toBe(inDay.length - new Set(inDay).size);
      expect(r.duplicated.first.every((d) => twice.has(d.identity))).toBe(true);
    });
  });
});
