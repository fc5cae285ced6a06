import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, startEmulator } from '../../servers/index.js';

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
});
