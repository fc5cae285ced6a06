// Child process for the state read-throughput bench: one emulator recovered from a state directory
// holding N injected Crusoe events, one holding the same events without persistence, both Crusoe
// only, in one process so both share the same core (autocannon, in the parent, has the other).
import { startEmulator, type Emulator } from '../servers/index.js';
import { signRequest } from '../servers/crusoe/signature.js';
import { insertCrusoe, typicalQuery } from './fill.js';

const [dir, count] = [process.argv[2], Number(process.argv[3])];
const NOW = '2026-03-10T10:00:00.000Z';
const persisted = await startEmulator({ portBase: 0, now: NOW, only: ['crusoe'], stateDir: dir });
const memory = await startEmulator({ portBase: 0, now: NOW, only: ['crusoe'] });
insertCrusoe(memory, count);

async function target(emu: Emulator): Promise<{ url: string; headers: Record<string, string>; body: string }> {
  const c = emu.providers.crusoe.credentials as { accessKeyId: string; secretKey: string; organizationId: string };
  const path = `/v1alpha5/organizations/${c.organizationId}/audit-logs`;
  const query = typicalQuery();
  const headers = signRequest({ accessKeyId: c.accessKeyId, secretKey: c.secretKey, method: 'GET', path, query });
  const url = `${emu.providers.crusoe.baseUrl}${path}?${query}`;
  const res = await fetch(url, { headers });
  const body = await res.text();
  if (res.status !== 200 || JSON.parse(body).items.length !== 50) throw new Error(`bench: typical query gave ${res.status}`);
  return { url, headers, body };
}

const [a, b] = [await target(persisted), await target(memory)];
const stored = [persisted, memory].map((e) => [...e.runtimes.get('crusoe')!.ctx.store.insertedEntries()].length);
if (a.body !== b.body || stored[0] !== count || stored[1] !== count) throw new Error(`bench: the two emulators differ (${stored.join(' vs ')} stored events)`);
process.stdout.write(JSON.stringify({ persisted: { url: a.url, headers: a.headers }, memory: { url: b.url, headers: b.headers } }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
