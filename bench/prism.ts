// Prism (@stoplight/prism-cli) mocking Crusoe's audit-log operation from openapi/crusoe.yaml: the
// mock server a team would otherwise reach for. Optional: when it is not installed the bench says
// so and goes on.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, spawnServer } from './rounds.js';

export interface PrismServer {
  baseUrl: string;
  cpu: () => number;
  stop(): void;
}

/** The Prism CLI's entry script, or undefined when the package is not installed. */
function prismBin(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve('@stoplight/prism-cli/package.json');
    const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> }).bin;
    const rel = typeof bin === 'string' ? bin : bin?.prism;
    return rel ? join(dirname(manifest), rel) : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Prism mocking openapi/crusoe.yaml on a free port (on CPU 1 when pinned), once it answers; undefined when not installed. */
export async function startPrism(pinned: boolean): Promise<PrismServer | undefined> {
  const bin = prismBin();
  if (!bin) return undefined;
  const spec = fileURLToPath(new URL('../../openapi/crusoe.yaml', import.meta.url));
  const port = await freePort();
  // Prism logs every request; to /dev/null that costs it as little as it can.
  const proc: ChildProcess = spawnServer([bin, 'mock', '-h', '127.0.0.1', '-p', String(port), spec], pinned, ['ignore', 'ignore', 'inherit']);
  const baseUrl = `http://127.0.0.1:${port}`;
  let exited = false;
  proc.once('exit', () => (exited = true));
  for (let waited = 0; ; waited += 100) {
    if (exited) throw new Error('bench: prism exited before listening');
    if (waited > 60_000) throw new Error('bench: prism did not listen within 60 s');
    try {
      await fetch(baseUrl);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { baseUrl, cpu: () => cpuSeconds(proc.pid!), stop: () => proc.kill('SIGTERM') };
}
