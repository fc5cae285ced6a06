// Child process for the throughput bench: the emulator (Crusoe only) and a bare Hono route per
// case that serves the same response body precomputed, in one process, so both share the same core
// and the load generator (autocannon, in the parent) has the other. The parent signs the requests
// (fresh for each round), so the child hands it the key.
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { startEmulator } from '../servers/index.js';
import { signRequest } from '../servers/crusoe/signature.js';
import { defaultWindowQuery, typicalQuery } from './fill.js';

const emu = await startEmulator({ portBase: 0, now: '2026-03-10T10:00:00.000Z', only: ['crusoe'] });
const c = emu.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
const bare = new Hono();

/** The emulator's answer to one query, checked, and a bare route serving the same body. */
async function benchCase(name: string, query: string, check: (items: number) => boolean) {
  const headers = signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: 'GET', path, query });
  const url = `${emu.providers.crusoe.baseUrl}${path}?${query}`;
  const res = await fetch(url, { headers });
  const body = await res.text();
  const items = JSON.parse(body).items?.length;
  if (res.status !== 200 || !check(items)) throw new Error(`bench: ${name} query gave ${res.status} with ${items} items`);
  bare.get(`/bare/${name}`, (ctx) => ctx.body(body, 200, { 'content-type': 'application/json' }));
  return { name, query, url, bytes: Buffer.byteLength(body), items, barePath: `/bare/${name}` };
}

const cases = [await benchCase('typical', typicalQuery(), (n) => n === 50), await benchCase('window', defaultWindowQuery(), (n) => n > 0)];
const server = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' }) as unknown as Server;
await new Promise((r) => server.once('listening', r));
const bareBase = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
const out = { key: { accessKeyId: c.accessKeyId, secretKey: c.secretKey }, path, cases: cases.map((k) => ({ ...k, bareUrl: bareBase + k.barePath })) };
process.stdout.write(JSON.stringify(out) + '\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
