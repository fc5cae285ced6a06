import { describe, expect, it } from 'vitest';
import { providers } from '../../servers/registry.js';
import { useEmulator } from '../support/emulator.js';

const env = useEmulator();

describe('interactive API docs on the control port', () => {
  it('lists every vendor and serves a page and the spec for each, with local assets only', async () => {
    const base = env.get().controlUrl;
    const index = await (await fetch(`${base}/docs`)).text();
    for (const p of providers) {
      expect(index).toContain(`/docs/${p.id}`);
      const page = await (await fetch(`${base}/docs/${p.id}`)).text();
      expect(page).toContain(`/docs/${p.id}/openapi.json`);
      expect(page).not.toMatch(/https?:\/\//);
      const spec = await (await fetch(`${base}/docs/${p.id}/openapi.json`)).json();
      expect(spec.openapi).toMatch(/^3\.1/);
      expect(spec.servers[0].url).toBe(env.get().providers[p.id].baseUrl);
    }
    const js = await fetch(`${base}/docs/assets/swagger-ui-bundle.js`);
    expect(js.status).toBe(200);
    expect((await js.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${base}/docs/assets/../../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/docs/nosuch`)).status).toBe(404);
  });

  it('serves the control API spec at /docs/control, pointed at the control port', async () => {
    const base = env.get().controlUrl;
    expect(await (await fetch(`${base}/docs`)).text()).toContain('/docs/control');
    expect(await (await fetch(`${base}/docs/control`)).text()).toContain('/docs/control/openapi.json');
    const spec = await (await fetch(`${base}/docs/control/openapi.json`)).json();
    expect(spec.info.title).toMatch(/control/i);
    expect(spec.paths['/_emulator/clock']).toBeDefined();
    expect(spec.servers[0].url).toBe(base);
  });

  it('answers 404 for asset names that are properties of every object', async () => {
    const base = env.get().controlUrl;
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'package.json', 'index.html']) {
      const r = await fetch(`${base}/docs/assets/${name}`);
      expect(r.status, name).toBe(404);
      expect(await r.json()).toEqual({ error: 'no such asset' });
    }
  });
});
