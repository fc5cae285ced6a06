/**
 * npm run bench: figures for the Crusoe reference vendor, each measured side by side in one run
 * and reported as ratios where a ratio is the target.
 *  1. throughput of two signed queries (a page of 50 with two filters a week back; two filters in
 *     the default one-day window) each vs a bare Hono route serving the same body precomputed, both
 *     driven by autocannon; and of the second vs Prism mocking the same operation, when installed;
 *  2. query latency at 10,000 and at 1,000,000 stored events;
 *  3. resident memory at 1,000,000 events (in a child process);
 *  4. time from starting the CLI to a ready manifest with the default history;
 *  5. the state engine: acknowledgement latency, reads from a state directory, restart (bench/state.ts);
 *  6. worlds: the memory of 100 worlds that each served a few requests, and the time to create one;
 *  7. history at volume in bounded memory: a 90-day walk at volume 200, Instaclustr's totals over a
 *     year at volume 100 (bench/volume.ts).
 * `npm run bench -- <name>` runs one of throughput, latency, memory, startup, state, worlds, volume,
 * or `year` (only Instaclustr's year at volume 100).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../servers/index.js';
import { signRequest } from '../servers/crusoe/signature.js';
import { fillCrusoe, typicalQuery } from './fill.js';
import { startPrism } from './prism.js';
import { alternatingRounds, pinnedChild, type PinnedChild } from './rounds.js';
import { stateBench } from './state.js';
import { volumeBench, yearBench } from './volume.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const NOW = '2026-03-10T10:00:00.000Z';

interface ServersInfo {
  key: { accessKeyId: string; secretKey: string };
  path: string;
  cases: Array<{ name: string; query: string; url: string; bareUrl: string; bytes: number; items: number }>;
}

const describe: Record<string, string> = {
  typical: 'signed Crusoe query (page of 50, two filters, a week back)',
  window: 'signed Crusoe query (two filters, the default one-day window)',
};

async function throughput(): Promise<void> {
  const child = await pinnedChild(fileURLToPath(new URL('./servers.js', import.meta.url)));
  const info = child.info as ServersInfo;
  // Signed afresh for each round: a long run would outlive the timestamp's allowed skew.
  const signed = (query: string) => () => signRequest({ ...info.key, method: 'GET', path: info.path, query });
  for (const k of info.cases) {
    // Server CPU per request (from /proc) is reported beside the ratio.
    const r = await alternatingRounds(child, seconds, { a: { url: k.url, headers: signed(k.query) }, b: { url: k.bareUrl, headers: {} } });
    console.log(
      `throughput: ${describe[k.name]} \`${k.query}\` (${k.items} entries) ${r.a.toFixed(0)} req/s, ` +
        `bare route with the same ${k.bytes}-byte body ${r.b.toFixed(0)} req/s; median ratio over ${r.rounds} alternating rounds ` +
        `${r.median.toFixed(2)} (range ${r.min.toFixed(2)}-${r.max.toFixed(2)}; target >= 0.6); ` +
        `server CPU ${r.usA.toFixed(0)} vs ${r.usB.toFixed(0)} us per request (ratio ${(r.usB / r.usA).toFixed(2)})` +
        (child.pinned ? '; servers pinned to CPU 1, load generator to CPU 0' : ''),
    );
  }
  await againstPrism(
    child,
    info.cases.find((k) => k.name === 'window')!,
    signed,
  );
  child.stop();
}

/** The emulator against Prism mocking the same operation from openapi/crusoe.yaml, same request, alternating rounds. */
async function againstPrism(child: PinnedChild, k: ServersInfo['cases'][number], signed: (q: string) => () => Record<string, string>): Promise<void> {
  const prism = await startPrism(child.pinned);
  if (!prism) {
    console.log('prism: @stoplight/prism-cli not installed: skipped');
    return;
  }
  try {
    const url = `${prism.baseUrl}${k.url.slice(k.url.indexOf('/', 'http://'.length))}`;
    const probe = await fetch(url, { headers: signed(k.query)() });
    await probe.arrayBuffer();
    if (probe.status !== 200) {
      console.log(`prism: answered ${probe.status} to the signed query: skipped`);
      return;
    }
    const r = await alternatingRounds(child, seconds, { a: { url: k.url, headers: signed(k.query) }, b: { url, headers: signed(k.query), cpu: prism.cpu } });
    console.log(
      `prism: the same signed query, emulator ${r.a.toFixed(0)} req/s vs Prism mocking openapi/crusoe.yaml ${r.b.toFixed(0)} req/s; ` +
        `median ratio over ${r.rounds} alternating rounds ${r.median.toFixed(1)}x (range ${r.min.toFixed(1)}-${r.max.toFixed(1)}; target >= 10x); ` +
        `server CPU ${r.usA.toFixed(0)} vs ${r.usB.toFixed(0)} us per request`,
    );
  } finally {
    prism.stop();
  }
}

async function latency(): Promise<void> {
  const measure = async (count: number): Promise<number> => {
    const emu = await startEmulator({ portBase: 0, now: NOW, only: ['crusoe'] });
    fillCrusoe(emu, count);
    const rt = emu.runtimes.get('crusoe')!;
    const c = emu.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
    const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
    const query = typicalQuery();
    const headers = signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: 'GET', path, query });
    const req = () => rt.app.fetch(new Request(`http://bench${path}?${query}`, { headers }));
    for (let i = 0; i < 300; i++) await (await req()).text();
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await (await req()).text();
    const ms = (performance.now() - t0) / n;
    await emu.close();
    return ms;
  };
  const small = await measure(10_000);
  const large = await measure(1_000_000);
  console.log(`latency: ${small.toFixed(3)} ms at 10,000 events, ${large.toFixed(3)} ms at 1,000,000, ratio ${(large / small).toFixed(2)} (target <= 1.5)`);
}

function child(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
  });
}

async function memory(): Promise<void> {
  const script = fileURLToPath(new URL('./memory.js', import.meta.url));
  const out = JSON.parse(await child(['--expose-gc', script, '1000000']));
  console.log(
    `memory: ${(out.rss / 1e6).toFixed(0)} MB resident with ${out.count.toLocaleString('en')} Crusoe events ` +
      `(${(out.base / 1e6).toFixed(0)} MB before loading; target <= 600 MB)`,
  );
}

async function worlds(): Promise<void> {
  const script = fileURLToPath(new URL('./worlds.js', import.meta.url));
  const out = JSON.parse(await child(['--expose-gc', script, '100']));
  const mb = (b: number) => (b / 1e6).toFixed(2);
  console.log(
    `worlds: ${out.worlds} worlds that each served one read per vendor cost ${mb(out.heapPerWorld)} MB of heap ` +
      `(${mb(out.rssPerWorld)} MB resident) each, their share of the shared history and rendering budgets included; ` +
      `${out.worlds} more cost ${mb(out.marginalHeap)} MB of heap (${mb(out.marginalRss)} MB resident) each (target < 2 MB); ` +
      `creating one takes ${out.createMedianMs.toFixed(1)} ms median, ${out.createP95Ms.toFixed(1)} ms p95 (target < 20 ms)`,
  );
}

async function startup(): Promise<void> {
  const cli = fileURLToPath(new URL('../bin/cli.js', import.meta.url));
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = 47100 + i * 10;
    const t0 = performance.now();
    const p = spawn(process.execPath, [cli, 'start', '--port-base', String(port)], { stdio: 'ignore' });
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/_emulator/manifest`);
        if (r.ok) {
          const m = await r.json();
          if (Object.keys(m.providers).length) break;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    runs.push(performance.now() - t0);
    p.kill('SIGTERM');
    await new Promise((r) => p.once('exit', r));
  }
  const best = Math.min(...runs);
  console.log(`startup: ${runs.map((r) => r.toFixed(0)).join(', ')} ms from spawning the CLI to a ready manifest (best ${best.toFixed(0)} ms; target <= 1000)`);
}

const only = process.argv[2];
if (!only || only === 'throughput') await throughput();
if (!only || only === 'latency') await latency();
if (!only || only === 'memory') await memory();
if (!only || only === 'startup') await startup();
if (!only || only === 'state') await stateBench(seconds);
if (!only || only === 'worlds') await worlds();
if (!only || only === 'volume') await volumeBench();
if (only === 'year') await yearBench();
process.exit(0);
