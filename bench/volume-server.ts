// Child process for the volume bench: one vendor at a volume, under the default memory budget (or
// argv[4] bytes); prints its base URL and credentials as one JSON line, stops when stdin closes.
import { startEmulator } from '../servers/index.js';

const [vendor, volume, now, budget] = process.argv.slice(2);
const emu = await startEmulator({
  portBase: 0,
  now,
  only: [vendor],
  config: { [vendor]: { volume: Number(volume), ...(vendor === 'instaclustr' ? { rateLimitPerSecond: 100_000 } : {}) } },
  ...(budget ? { memoryBudget: Number(budget) } : {}),
});
const p = emu.providers[vendor];
process.stdout.write(JSON.stringify({ baseUrl: p.baseUrl, credentials: p.credentials }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
