import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validate } from 'dockerfile-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'audit-emulator-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  });

describe('packaging', () => {
  it('the Dockerfile lints clean, runs as a non-root user and checks health', () => {
    const text = readFileSync('Dockerfile', 'utf8');
    expect(validate(text)).toEqual([]);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toContain('/_emulator/health');
    expect(text).toMatch(/^FROM node:20-alpine/m);
  });

  it('npm pack yields a package that installs and starts from a clean directory', async () => {
    const out = npm(['pack', '--silent', '--pack-destination', dir], process.cwd()).trim().split('\n').pop()!;
    const tarball = resolve(dir, out);
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    npm(['install', '--no-package-lock', '--omit=dev', tarball], app);
    // The bin starts, prints credentials and serves the manifest.
    const { proc, control, printed } = await startCli([join(app, 'node_modules/.bin/audit-emulator')], ['--now', '2026-03-10T10:00:00Z'], { cwd: app });
    try {
      const manifest = await (await fetch(`${control}/_emulator/manifest`)).json();
      expect(Object.keys(manifest.providers).sort()).toEqual(['crusoe', 'instaclustr', 'k2', 'octopai', 'opsera']);
      expect(printed()).toContain(manifest.providers.crusoe.credentials.accessKeyId);
      expect((await fetch(`${control}/`)).status).toBe(200);
      expect((await fetch(`${control}/docs/crusoe`)).status).toBe(200);
    } finally {
      proc.kill('SIGTERM');
    }
    // The programmatic API and the contract helpers resolve through the package's exports.
    writeFileSync(
      join(app, 'check.mjs'),
      `import { startEmulator } from 'audit-emulator';
       import { checkResponse, RequestRecorder } from 'audit-emulator/contracts';
       const emu = await startEmulator({ only: ['crusoe'] });
       const ok = typeof checkResponse === 'function' && typeof RequestRecorder === 'function' && emu.providers.crusoe.baseUrl.startsWith('http://127.0.0.1:');
       await emu.close();
       console.log(ok ? 'OK' : 'BAD');`,
    );
    expect(execFileSync(process.execPath, ['check.mjs'], { cwd: app, encoding: 'utf8' }).trim()).toBe('OK');
  }, 240_000);
});
