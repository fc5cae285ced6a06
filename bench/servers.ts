// Child process for the throughput bench: the emulator (Crusoe only) and a bare Hono route that
// serves the same response body precomputed, in one process, so both share the same core and
// the load generator (autocannon, in the parent) has the other.
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { startEmulator } from '../servers/index.js';
import { signRequest } from '../servers/crusoe/signature.js';
import { typicalQuery } from './fill.js';

const emu = await startEmulator({ portBase: 0, now: '2026-03-10T10:00:00.000Z', only: ['crusoe'] });
const c = emu.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
const query = typicalQuery();
const headers = signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: 'GET', path, query });
const url = `${emu.providers.crusoe.baseUrl}${path}?${query}`;
const res = await fetch(url, { headers });
const body = await res.text();
const items = JSON.parse(body).items.length;
if (res.status !== 200 || items !== 50) throw new Error(`bench: typical query gave ${res.status} with ${items} items`);

const bare = new Hono();
bare.get('/bare', (ctx) => ctx.body(body, 200, { 'content-type': 'application/json' }));
const server = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' }) as unknown as Server;
await new Promise((r) => server.once('listening', r));
const bareUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/bare`;
process.stdout.write(JSON.stringify({ url, headers, bareUrl, bytes: body.length }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
