import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Start the CLI on free ports (`--port-base 0`) and wait until its control API answers. A fixed or
 * random port in the ephemeral range can be taken by some outgoing connection of a parallel test.
 */
export async function startCli(
  bin: string[],
  args: string[],
  opts: { cwd?: string } = {},
): Promise<{ proc: ChildProcess; control: string; printed: () => string; printedErr: () => string }> {
  const proc = spawn(bin[0], [...bin.slice(1), 'start', '--port-base', '0', ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  for (let i = 0; i < 2400; i++) {
    if (proc.exitCode !== null) throw new Error(`emulator exited: ${err}`);
    const control = /control\s+(http:\/\/\S+)/.exec(out)?.[1];
    if (control) {
      try {
        if ((await fetch(`${control}/_emulator/health`)).ok) return { proc, control, printed: () => out, printedErr: () => err };
      } catch {
        /* not yet */
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  proc.kill('SIGKILL');
  throw new Error('emulator did not start');
}
