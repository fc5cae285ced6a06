// The README's quick start, run as a user would run it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../support/emulator.js';

const env = useEmulator({ only: ['crusoe'] });

describe('README quick start', () => {
  it('examples/crusoe-signed-request.mjs makes a signed request that succeeds', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['examples/crusoe-signed-request.mjs'], {
      env: { ...process.env, EMULATOR_URL: env.get().controlUrl },
    });
    expect(stdout).toMatch(/^HTTP 200/);
    expect(stdout.trim().split('\n').length).toBeGreaterThan(1);
  });
});
