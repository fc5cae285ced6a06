// Child process: resident memory with N Crusoe events loaded (run with --expose-gc).
import { startEmulator } from '../servers/index.js';
import { fillCrusoe } from './fill.js';

const count = Number(process.argv[2] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const emu = await startEmulator({ portBase: 0, now: '2026-03-10T10:00:00.000Z', only: ['crusoe'] });
gc();
const base = process.memoryUsage().rss;
fillCrusoe(emu, count);
gc();
gc();
const rss = process.memoryUsage().rss;
process.stdout.write(JSON.stringify({ count: emu.runtimes.get('crusoe')!.ctx.store.size, base, rss }));
await emu.close();
process.exit(0);
