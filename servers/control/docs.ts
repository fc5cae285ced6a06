import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, Hono } from 'hono';
import type { Emulator } from '../core/emulator.js';
import { loadSpec } from '../core/spec.js';
import { CONTROL_SPEC } from './validate.js';

const require = createRequire(import.meta.url);
// Swagger UI's assets come from the installed package: nothing is fetched from the network.
const uiDir = dirname(require.resolve('swagger-ui-dist/package.json'));
/** The only files of the package the pages use; nothing else of it is served. */
const ASSETS = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js'];
const cacheAnHour = (_path: string, c: Context): void => {
  c.header('cache-control', 'max-age=3600');
};

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A whole HTML page; `title` is already escaped. */
const page = (title: string, head: string, body: string): string =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
  `<title>${title}</title>${head}</head><body>${body}</body></html>`;

interface DocTarget {
  id: string;
  title: string;
  doc: object;
  url: string;
}

/** A vendor's spec, or the control API's own (`control`), with the address that serves it. */
function docTarget(emu: Emulator, id: string): DocTarget | undefined {
  if (id === 'control') return { id, title: 'audit-emulator control API', doc: loadSpec(CONTROL_SPEC).doc, url: emu.controlUrl };
  const rt = emu.runtimes.get(id);
  return rt && { id, title: rt.provider.title, doc: rt.ctx.spec.doc, url: rt.ctx.baseUrl() };
}

/** `/docs`: one interactive page per spec (each vendor's and the control API's), "try it" pointed at this emulator. */
export function registerDocs(app: Hono<any>, emu: Emulator): void {
  for (const file of ASSETS) app.get(`/docs/assets/${file}`, serveStatic({ path: join(uiDir, file), onFound: cacheAnHour }));
  app.get('/docs/assets/:file', (c) => c.json({ error: 'no such asset' }, 404));
  app.get('/docs', (c) => {
    const items = ['control', ...emu.runtimes.keys()]
      .map((id) => docTarget(emu, id)!)
      .map((t) => `<li><a href="/docs/${esc(t.id)}">${esc(t.title)}</a> <code>${esc(t.url)}</code></li>`)
      .join('');
    return c.html(page('audit-emulator API docs', '', `<h1>audit-emulator: vendor APIs</h1><ul>${items}</ul><p><a href="/">Dashboard</a></p>`));
  });
  app.get('/docs/:id/openapi.json', (c) => {
    const t = docTarget(emu, c.req.param('id'));
    if (!t) return c.json({ error: `unknown provider '${c.req.param('id')}'` }, 404);
    // The running address first, so "Try it out" reaches this emulator.
    return c.json({ ...t.doc, servers: [{ url: t.url, description: 'this emulator' }] });
  });
  app.get('/docs/:id', (c) => {
    const t = docTarget(emu, c.req.param('id'));
    if (!t) return c.json({ error: `unknown provider '${c.req.param('id')}'` }, 404);
    const id = esc(t.id);
    const ui =
      `{ url: '/docs/${id}/openapi.json', dom_id: '#ui', deepLinking: true, ` +
      `presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' }`;
    return c.html(
      page(
        `${esc(t.title)}: API docs`,
        '<link rel="stylesheet" href="/docs/assets/swagger-ui.css">',
        '<div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>' +
          `<script src="/docs/assets/swagger-ui-standalone-preset.js"></script><script>window.ui = SwaggerUIBundle(${ui});</script>`,
      ),
    );
  });
}
