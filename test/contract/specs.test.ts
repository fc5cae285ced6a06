import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../servers/core/spec.js';
import { providers } from '../../servers/registry.js';
import { startEmulator } from '../../servers/index.js';

const specs = readdirSync('openapi')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => `openapi/${f}`);

describe('specs cannot drift', () => {
  it('every spec lints clean with Redocly', () => {
    // Every spec must be one of the APIs in redocly.yaml (where each may carry its own rules).
    const config = readFileSync('redocly.yaml', 'utf8');
    for (const s of specs) expect(config, `${s} in redocly.yaml`).toContain(`root: ${s}`);
    const r = spawnSync(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', '--format', 'stylish'], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    // Problems are listed as `line:col  warning  rule`; the Node.js support banner is not one.
    expect(r.stdout + r.stderr).not.toMatch(/^\s*\d+:\d+\s+(warning|error)/m);
  }, 60_000);

  it('generated types match the specs', () => {
    execFileSync(process.execPath, ['scripts/gen-types.mjs', '--check'], { stdio: 'pipe' });
  }, 60_000);

  it('every vendor has a spec file', () => {
    for (const p of providers) expect(specs).toContain(p.specFile);
  });

  describe.each(providers.map((p) => [p.id, p] as const))('%s: served routes and spec paths are the same set', (id, p) => {
    it('matches', async () => {
      const emu = await startEmulator({ portBase: 0, only: [id] });
      try {
        const app = emu.runtimes.get(id)!.app;
        const served = new Set<string>();
        for (const r of app.routes) {
          if (r.method === 'ALL') continue; // middleware
          const path = r.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
          served.add(`${r.method} ${path}`);
        }
        const spec = loadSpec(p.specFile);
        const documented = new Set<string>();
        for (const [path, item] of Object.entries(spec.doc.paths)) {
          for (const m of ['get', 'post', 'put', 'delete', 'patch', 'head']) if (item[m]) documented.add(`${m.toUpperCase()} ${path}`);
        }
        const norm = (s: string) => s.replace(/\{[^}]+\}/g, '{}');
        // Hono answers HEAD from a GET route, so a documented HEAD is served by its GET.
        const servedNorm = new Set([...served].map(norm));
        for (const s of [...servedNorm]) if (s.startsWith('GET ')) servedNorm.add(`HEAD ${s.slice(4)}`);
        const documentedNorm = [...documented].map(norm);
        expect(
          documentedNorm.filter((d) => !servedNorm.has(d)),
          'documented but not served',
        ).toEqual([]);
        expect(
          [...served].map(norm).filter((s) => !documentedNorm.includes(s)),
          'served but not documented',
        ).toEqual([]);
      } finally {
        await emu.close();
      }
    });
  });
});
