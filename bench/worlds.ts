// Child process (run with --expose-gc): the cost of 100 idle worlds that each served a few requests,
// and the time to create one, against the same emulator with its default world only.
import { CrusoeClient } from '../contracts/crusoe/client.js';
import { InstaclustrClient } from '../contracts/instaclustr/client.js';
import { K2Client } from '../contracts/k2/client.js';
import { OctopaiClient } from '../contracts/octopai/client.js';
import { OpseraClient } from '../contracts/opsera/client.js';
import { startEmulator, type Manifest } from '../servers/index.js';

const WORLDS = Number(process.argv[2] ?? 100);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const settle = () => {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
};

/** One authenticated read per vendor, as a test file's first calls would be. */
async function fewRequests(m: Manifest): Promise<void> {
  const c = (v: string) => m.providers[v].credentials as Record<string, any>;
  const url = (v: string) => m.providers[v].baseUrl;
  const statuses = [
    (
      await new CrusoeClient({
        baseUrl: url('crusoe'),
        accessKeyId: c('crusoe').accessKeyId,
        secretKey: c('crusoe').secretKey,
        organizationId: c('crusoe').organizationId,
      }).getAuditLogs({ limit: '10' })
    ).status,
    (
      await new InstaclustrClient({
        baseUrl: url('instaclustr'),
        username: c('instaclustr').username,
        apiKey: c('instaclustr').provisioningApiKey,
      }).getAccountUserActions({ pageSize: 10 })
    ).status,
    (
      await new K2Client({ baseUrl: url('k2'), accessKeyId: c('k2').accessKeyId, secretAccessKey: c('k2').secretAccessKey, region: c('k2').region }).call(
        'LookupEvents',
        { MaxResults: 10 },
      )
    ).status,
    (await new OctopaiClient({ baseUrl: url('octopai'), userName: c('octopai').userName, password: c('octopai').password }).getUserEvents({})).status,
    (await new OpseraClient({ baseUrl: url('opsera'), token: c('opsera').tokens.api }).getUserActions({})).status,
  ];
  if (statuses.some((s) => s !== 200)) throw new Error(`a request failed: ${statuses.join(', ')}`);
}

const emu = await startEmulator({
  portBase: 0,
  now: '2026-03-10T10:00:00.000Z',
  ...(process.env.BENCH_BUDGET ? { memoryBudget: Number(process.env.BENCH_BUDGET) } : {}),
});
await fewRequests(emu.manifest());

/** `n` more worlds, each serving a few requests; the time each took to create. */
async function more(n: number): Promise<number[]> {
  const createMs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const w = await emu.createWorld({ now: '2026-03-10T10:00:00.000Z' });
    createMs.push(performance.now() - t0);
    await fewRequests(w.manifest());
  }
  return createMs;
}

const before = settle();
const createMs = await more(WORLDS);
const first = settle();
// Another hundred: what one more world adds once the shared budgets (history, renderings) are full.
await more(WORLDS);
const second = settle();
createMs.sort((a, b) => a - b);
process.stdout.write(
  JSON.stringify({
    worlds: WORLDS,
    rssPerWorld: (first.rss - before.rss) / WORLDS,
    heapPerWorld: (first.heap - before.heap) / WORLDS,
    marginalRss: (second.rss - first.rss) / WORLDS,
    marginalHeap: (second.heap - first.heap) / WORLDS,
    createMedianMs: createMs[Math.floor(createMs.length / 2)],
    createP95Ms: createMs[Math.floor(createMs.length * 0.95)],
  }),
);
await emu.close();
process.exit(0);
