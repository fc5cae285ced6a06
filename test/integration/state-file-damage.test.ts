import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frame } from '../../servers/core/journal.js';
import { ConfigError, startEmulator } from '../../servers/index.js';
import { startCli } from '../support/cli.js';

const SEED = 20240721;
const good = { version: 1, seed: SEED, savedAt: '', clock: { frozenAt: null, offset: 0 }, vendors: {} };

const variants: Array<[string, string, RegExp]> = [
  ['empty', '', /not valid JSON/],
  ['truncated', JSON.stringify(good).slice(0, 30), /not valid JSON/],
  ['garbage', 'hello', /not valid JSON/],
  ['null', 'null', /the top level must be an object/],
  ['an array', '[]', /the top level must be an object/],
  ['another version', JSON.stringify({ ...good, version: 2 }), /version must be 1/],
  ['another seed', JSON.stringify({ ...good, seed: 1 }), /seed 1/],
  ['no clock', JSON.stringify({ ...good, clock: 'x' }), /clock must be/],
  ['a clock out of range', JSON.stringify({ ...good, clock: { frozenAt: null, offset: 1e23 } }), /clock settings out of range/],
  ['a frozen instant out of range', JSON.stringify({ ...good, clock: { frozenAt: 9e15, offset: 0 } }), /clock settings out of range/],
  ['vendors null', JSON.stringify({ ...good, vendors: null }), /vendors must be an object/],
  ['events not a list', JSON.stringify({ ...good, vendors: { crusoe: { events: 3 } } }), /vendors\.crusoe must be/],
  ['a bad event', JSON.stringify({ ...good, vendors: { crusoe: { events: [{ ts: 'x', seq: 1, rec: {} }] } } }), /vendors\.crusoe\.events\[0\]/],
  ['a vendor state that is not an object', JSON.stringify({ ...good, vendors: { k2: { events: [], state: 'x' } } }), /vendors\.k2\.state must be an object/],
];

describe('a state file that does not load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'state-damage-'));

  it.each(variants)('%s: start-up stops with one error naming the file and the problem', async (name, text, why) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, text);
    const started = startEmulator({ portBase: 0, stateFile: file });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await expect(started).rejects.toThrow(why);
    await expect(started).rejects.toThrow(file);
  });

  it('the CLI prints one line, no stack trace, and exits with code 2', () => {
    const file = join(dir, 'cli.json');
    writeFileSync(file, '{"version":1');
    const r = spawnSync(process.execPath, ['dist/bin/cli.js', 'start', '--port-base', '0', '--state-file', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('temp files that a killed writer left behind are removed at start', async () => {
    const file = join(dir, 'temps.json');
    const temp = join(dir, '.temps.json.12345.tmp');
    writeFileSync(temp, '{');
    const emu = await startEmulator({ portBase: 0, stateFile: file, only: ['crusoe'] });
    await emu.close();
    expect(existsSync(temp)).toBe(false);
    expect(existsSync(file)).toBe(true);
  });

  it('a state directory and a state file together are refused', async () => {
    await expect(startEmulator({ portBase: 0, stateDir: dir, stateFile: join(dir, 'x.json') })).rejects.toThrow(/--state-dir and --state-file/);
  });
});

describe('a journal that does not load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-damage-'));
  const insert = (i: number) => frame(JSON.stringify({ t: 'insert', vendor: 'crusoe', seq: 1_000_000 + i, ts: 0, rec: { bad: true } }));
  /** A state directory with a snapshot and a journal whose header is whole, then `tail`. */
  function stateDir(name: string, tail: string): { root: string; journal: string; offset: number } {
    const root = join(dir, name);
    mkdirSync(join(root, 'default'), { recursive: true });
    writeFileSync(join(root, 'default', 'snapshot.json'), JSON.stringify({ ...good, generation: 0 }));
    const journal = join(root, 'default', 'journal.log');
    const header = frame(JSON.stringify({ t: 'journal', version: 1, generation: 0, seed: SEED, world: 'default' }));
    writeFileSync(journal, header);
    appendFileSync(journal, tail);
    return { root, journal, offset: Buffer.byteLength(header) };
  }

  it('damage before the last record: the CLI prints one line naming the file and byte offset, and exits with code 2', () => {
    const { root, journal, offset } = stateDir('middle', insert(1).replace('"bad"', '"bat"') + insert(2));
    const r = spawnSync(process.execPath, ['dist/bin/cli.js', 'start', '--port-base', '0', '--state-dir', root], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`audit-emulator: journal ${journal} is damaged at byte ${offset}: checksum mismatch`]);
  });

  it('a last record cut short by a crash: dropped with a one-line warning, and the emulator starts', async () => {
    const { root, journal, offset } = stateDir('torn', insert(1).slice(0, 40));
    const emu = await startCli([process.execPath, 'dist/bin/cli.js'], ['--only', 'crusoe', '--state-dir', root]);
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(emu.printedErr().trim().split('\n')).toEqual([
        `audit-emulator: journal ${journal}: dropped a last record cut short by a crash at byte ${offset} (the record ends early; never acknowledged)`,
      ]);
    } finally {
      emu.proc.kill('SIGKILL');
    }
  });
});
