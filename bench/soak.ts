/**
 * npm run soak: 200 concurrent connections of mixed, correctly signed traffic across all five
 * vendors for 60 s against an emulator in its own process; each vendor's traffic is its
 * `hooks.soak`. Reports errors (non-2xx and socket errors, which must be zero) and the emulator's
 * resident memory over time: after a warm-up it must stay within 10 %. K2 and Opsera record every call as an event by design, so some growth
 * is data, not a leak; the request log itself is a bounded ring.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { authorizerFor } from '../contracts/auth.js';
import type { Provider } from '../servers/core/provider.js';
import { providers } from '../servers/registry.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
// The first third: V8 grows its heap to the workload's size before it settles.
const WARMUP = Math.floor(SECONDS / 3);
const PORT = Number(process.env.SOAK_PORT ?? 48100);

const child = fork(fileURLToPath(new URL('./soak-child.js', import.meta.url)), [String(PORT)], {
  execArgv: ['--expose-gc'],
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
await new Promise((resolve) => child.once('message', resolve));
const control = `http://127.0.0.1:${PORT}`;
const manifest: any = await (await fetch(`${control}/_emulator/manifest`)).json();
type Sample = { t: number; raw: number; rss: number; heapUsed: number; events: number; log: number };
const sample = (t: number) =>
  new Promise<Sample>((resolve) => {
    child.once('message', (m: any) => resolve({ t, ...m }));
    child.send({ type: 'sample' });
  });

type Req = { method: string; path: string; body?: string; headers: Record<string, string> };

/** Each vendor's soak traffic (its `hooks.soak`), every request signed by its own authorizer. */
async function planFor(p: Provider): Promise<{ vendor: string; connections: number; requests: Req[] }> {
  const target = manifest.providers[p.id];
  const auth = await authorizerFor(p, target);
  const { connections, requests } = p.hooks!.soak(target);
  const signed = requests.map(async ({ method, path, body, headers = {} }) => {
    const url = new URL(path, target.baseUrl);
    return { method, path: `${url.pathname}${url.search}`, body, headers: { ...headers, ...(await auth({ method, url, headers, body })) } };
  });
  return { vendor: p.id, connections, requests: await Promise.all(signed) };
}

const plan = await Promise.all(providers.filter((p) => p.hooks && manifest.providers[p.id]).map(planFor));
const connections = plan.reduce((n, p) => n + p.connections, 0);

const samples: Sample[] = [];
const started = Date.now();
// Every 5 s: resident memory as found, then after a full collection in the emulator.
const sampler = setInterval(() => void sample((Date.now() - started) / 1000).then((s) => samples.push(s)), 5000);
const runs = plan.map((p) =>
  autocannon({ url: manifest.providers[p.vendor].baseUrl, connections: p.connections, duration: SECONDS, requests: p.requests as any, timeout: 10 }),
);
const results = await Promise.all(runs);
clearInterval(sampler);
samples.push(await sample((Date.now() - started) / 1000));
child.kill('SIGTERM');

let errors = 0;
let total = 0;
for (const [i, r] of results.entries()) {
  total += r.requests.total;
  errors += r.non2xx + r.errors + r.timeouts;
  console.log(
    `${plan[i].vendor.padEnd(12)} ${r.requests.total} requests, ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`,
  );
}
const after = samples.filter((s) => s.t >= WARMUP);
const base = after[0];
const last = after[after.length - 1];
const peak = Math.max(...after.map((s) => s.rss));
const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
const growth = (peak - base.rss) / base.rss;
console.log(`soak: ${SECONDS} s, ${connections} connections, ${total} requests, ${errors} errors`);
console.log(
  `memory after a full GC: ${mb(base.rss)} resident at ${base.t.toFixed(0)} s (end of warm-up), peak ${mb(peak)}, end ${mb(last.rss)}: ` +
    `${(growth * 100).toFixed(1)} % above the warm-up level (target <= 10 %); heap ${mb(base.heapUsed)} -> ${mb(last.heapUsed)} ` +
    `while the stores grew by ${last.events - base.events} recorded events (K2 and Opsera record every call); request log ${last.log} entries (bounded)`,
);
console.log(
  `samples (s: resident as found / after GC / heap): ${samples.map((s) => `${s.t.toFixed(0)}: ${mb(s.raw)}/${mb(s.rss)}/${mb(s.heapUsed)}`).join(', ')}`,
);
process.exit(errors === 0 && growth <= 0.1 ? 0 : 1);
