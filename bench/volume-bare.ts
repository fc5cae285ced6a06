// Child process for the volume bench: the bytes limit. Takes the first pages of the same Crusoe walk
// from an emulator, lets it go, and serves those bodies precomputed from a bare Hono route, page i
// being body i modulo their number: what sending the walk's bytes costs with nothing behind them.
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { CrusoeClient } from '../contracts/crusoe/client.js';
import { startEmulator } from '../servers/index.js';

const [volume, now, from, pages] = process.argv.slice(2);
const emu = await startEmulator({ portBase: 0, now, only: ['crusoe'], config: { crusoe: { volume: Number(volume) } } });
const c = emu.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
const client = new CrusoeClient({ baseUrl: emu.providers.crusoe.baseUrl, ...c });
const bodies: string[] = [];
let token: string | undefined;
for (let i = 0; i < Number(pages); i++) {
  const r = await client.getAuditLogs((token ? { next_token: token, limit: 1000 } : { start_time: from, end_time: now, limit: 1000 }) as never);
  if (!r.ok) throw new Error(`bench: crusoe answered ${r.status}`);
  bodies.push(await r.response.text());
  token = r.body.next_page_token ?? undefined;
  if (!token) break;
}
await emu.close();
const bare = new Hono();
bare.get('/page/:i', (ctx) => ctx.body(bodies[Number(ctx.req.param('i')) % bodies.length], 200, { 'content-type': 'application/json' }));
const server = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' }) as unknown as Server;
await new Promise((r) => server.once('listening', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/page`;
process.stdout.write(JSON.stringify({ url, pages: bodies.length, bytes: bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
