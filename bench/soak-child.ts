// The emulator under soak, forked with --expose-gc so the parent can read its memory after a full
// collection (a sawtooth of garbage would otherwise hide whether anything is retained).
import { startEmulator } from '../servers/index.js';

const portBase = Number(process.argv[2] ?? 48100);
const emu = await startEmulator({ portBase, config: { instaclustr: { rateLimitPerSecond: 0 } } });
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
process.on('message', (m: { type: string }) => {
  if (m.type !== 'sample') return;
  const raw = process.memoryUsage().rss;
  gc();
  gc();
  const after = process.memoryUsage();
  let events = 0;
  for (const rt of emu.runtimes.values()) events += rt.ctx.store.size;
  process.send!({ type: 'sample', raw, rss: after.rss, heapUsed: after.heapUsed, events, log: emu.log.size() });
});
process.send!({ type: 'ready' });
