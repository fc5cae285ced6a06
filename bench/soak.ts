/**
 * npm run soak: 200 concurrent connections of mixed, correctly signed traffic across all five
 * vendors for 60 s against an emulator in its own process. Reports errors (non-2xx and socket
 * errors, which must be zero) and the emulator's resident memory over time: after a warm-up it
 * must stay within 10 %. K2 and Opsera record every call as an event by design, so some growth
 * is data, not a leak; the request log itself is a bounded ring.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { authorizerFor } from '../contracts/auth.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
// The first third: V8 grows its heap to the workload's size before it settles.
const WARMUP = Math.floor(SECONDS / 3);
const PORT = Number(process.env.SOAK_PORT ?? 48100);
const cli = fileURLToPath(new URL('../bin/cli.js', import.meta.url));

const child = spawn(process.execPath, [cli, 'start', '--port-base', String(PORT), '--set', 'instaclustr.rateLimitPerSecond=0'], { stdio: ['ignore', 'ignore', 'inherit'] });
const control = `http://127.0.0.1:${PORT}`;
let manifest: any;
for (let i = 0; i < 400 && !manifest; i++) {
  await new Promise((r) => setTimeout(r, 25));
  manifest = await fetch(`${control}/_emulator/manifest`).then((r) => (r.ok ? r.json() : undefined), () => undefined);
}
if (!manifest) throw new Error('soak: emulator did not start');
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;

type Req = { method: string; path: string; body?: string; headers: Record<string, string> };
async function signed(vendor: string, method: string, pathAndQuery: string, body?: string, headers: Record<string, string> = {}): Promise<Req> {
  const p = manifest.providers[vendor];
  const url = new URL(pathAndQuery, p.baseUrl);
  const auth = await authorizerFor(vendor, p);
  return { method, path: `${url.pathname}${url.search}`, body, headers: { ...headers, ...(await auth({ method, url, headers, body })) } };
}

const c = (v: string) => manifest.providers[v].credentials;
const day = new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const plan: Array<{ vendor: string; connections: number; requests: Req[] }> = [
  {
    vendor: 'crusoe', connections: 60, requests: [
      await signed('crusoe', 'GET', `/v1alpha5/organizations/${c('crusoe').organizationId}/audit-logs?limit=50`),
      await signed('crusoe', 'GET', `/v1alpha5/organizations/${c('crusoe').organizationId}/audit-logs?actor_types=User&limit=50&results=OK&start_time=${encodeURIComponent(day)}`),
      await signed('crusoe', 'GET', `/v1/organizations/${c('crusoe').organizationId}/audit-logs?actions=Create%2CDelete&limit=20`),
    ],
  },
  {
    vendor: 'instaclustr', connections: 40, requests: [
      await signed('instaclustr', 'GET', '/cluster-management/v2/operations/user-actions/v2?pageSize=50'),
      await signed('instaclustr', 'GET', `/v1/organisations/${c('instaclustr').organisationId}/user-actions?pageSize=100&getActionCounts=false`),
    ],
  },
  {
    vendor: 'octopai', connections: 40, requests: [
      await signed('octopai', 'GET', '/api/UserAccount/UserEvents?pageSize=100'),
      await signed('octopai', 'POST', '/api/UserAccount/UserEvents', JSON.stringify({ eventType: 'Login', pageSize: 50 }), { 'content-type': 'application/json' }),
    ],
  },
  { vendor: 'opsera', connections: 30, requests: [await signed('opsera', 'GET', '/api/v1/logs/user/actions?count=100'), await signed('opsera', 'GET', '/api/v1/logs/user/tokens?count=50')] },
  {
    vendor: 'k2', connections: 30, requests: [
      await signed('k2', 'POST', '/', JSON.stringify({ MaxResults: 50 }), { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' }),
      await signed('k2', 'POST', '/', JSON.stringify({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunInstances' }], MaxResults: 20 }), { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' }),
      await signed('k2', 'POST', '/', '{}', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.DescribeTrails' }),
    ],
  },
];

const samples: Array<{ t: number; rss: number }> = [];
const started = Date.now();
const sampler = setInterval(() => samples.push({ t: (Date.now() - started) / 1000, rss: rss() }), 1000);
const runs = plan.map((p) =>
  autocannon({ url: manifest.providers[p.vendor].baseUrl, connections: p.connections, duration: SECONDS, requests: p.requests as any, timeout: 10 }),
);
const results = await Promise.all(runs);
clearInterval(sampler);
child.kill('SIGTERM');

let errors = 0;
let total = 0;
for (const [i, r] of results.entries()) {
  total += r.requests.total;
  errors += r.non2xx + r.errors + r.timeouts;
  console.log(`${plan[i].vendor.padEnd(12)} ${r.requests.total} requests, ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}`);
}
const after = samples.filter((s) => s.t >= WARMUP);
const base = after[0]?.rss ?? samples[samples.length - 1].rss;
const peak = Math.max(...after.map((s) => s.rss));
const end = after[after.length - 1].rss;
console.log(`soak: ${SECONDS} s, 200 connections, ${total} requests, ${errors} errors`);
console.log(`memory: ${(base / 1e6).toFixed(0)} MB after ${WARMUP} s warm-up, peak ${(peak / 1e6).toFixed(0)} MB, end ${(end / 1e6).toFixed(0)} MB: ${(((peak - base) / base) * 100).toFixed(1)} % above the warm-up level (target <= 10 %)`);
console.log(`samples (s:MB): ${samples.map((s) => `${s.t.toFixed(0)}:${(s.rss / 1e6).toFixed(0)}`).join(' ')}`);
process.exit(errors === 0 && (peak - base) / base <= 0.1 ? 0 : 1);
