/**
 * The fuzz machinery, for any provider: property-based bad input for every endpoint of its spec
 * (random and adversarial methods, paths, query strings, headers, bodies, encodings, huge values,
 * unicode and duplicate keys). Every case must get a 2xx or a 4xx, never a 5xx, a hang or a crash;
 * the emulator it runs against checks each response against the spec when started with
 * `validateResponses`. The vendor's own hooks sign the requests and name good path values.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { authorizerFor, type Authorizer } from '../../contracts/auth.js';
import type { Emulator } from '../../servers/core/emulator.js';
import type { Provider } from '../../servers/core/provider.js';
import { loadSpec, type Spec } from '../../servers/core/spec.js';

const NASTY = [
  '',
  ' ',
  '%',
  '%zz',
  '%00',
  '%E2%82',
  '+',
  ';',
  '&',
  '=',
  '-1',
  '0',
  '1',
  '1000',
  '1001',
  '99999999999999999999',
  '1e309',
  'NaN',
  'Infinity',
  'true',
  'false',
  'null',
  '[]',
  '{}',
  '2024-02-30T00:00:00Z',
  '2024-07-01',
  '2024-07-01T10:00:00',
  '2026-03-10T09:00:00Z',
  '2026-03-10T09:00:00+05:30',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  'a,b,,c',
  ',,,',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '😀',
  '\u0000',
  '\uFFFF',
  'Create,Update',
  'User,Crusoe Admin',
  'DELETE_CLUSTER',
  'LookupEvents',
  'Login',
  'pipeline',
  'api',
  'security-logs',
];

const value = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 2, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
  { weight: 1, arbitrary: fc.string({ minLength: 3000, maxLength: 12000 }) },
);

const headerValue = fc.oneof(
  fc.constantFrom('', 'x', 'application/json', 'text/plain', 'application/x-amz-json-1.1', '*/*'),
  fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
);

function jsonBody(spec: Spec, op: any): fc.Arbitrary<string> {
  const rb = spec.deref(op?.requestBody);
  const schema = rb ? spec.deref(Object.values<any>(rb.content ?? {})[0]?.schema) : undefined;
  const props = Object.keys(spec.deref(schema)?.properties ?? {});
  const known = props.length
    ? fc.dictionary(
        fc.constantFrom(...props),
        fc.oneof(value, fc.integer(), fc.boolean(), fc.constant(null), fc.array(value, { maxLength: 3 }), fc.object({ maxDepth: 2 })),
        { maxKeys: props.length },
      )
    : fc.object({ maxDepth: 2 });
  return fc.oneof(
    { weight: 5, arbitrary: known.map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 2, arbitrary: value },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', '[1,2', 'null', '""', '{}', '[]', '{"__proto__":{"x":1}}') },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((n) => JSON.stringify({ pad: 'x'.repeat(n * 700_000) })) },
  );
}

interface Case {
  method: string;
  path: string;
  query: Array<[string, string]>;
  rawQuery: string;
  headers: Array<[string, string]>;
  body?: string;
  auth: 'valid' | 'none' | 'garbage';
}

type Operation = { method: string; template: string; op: any };

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const RAW_QUERIES = ['&&', ';a=b', '%zz=1', 'a=%', '=x', '&limit=1&limit=2', 'a[]=1&a[]=2', '%E2%82=1'];
const oneOrOther = <T, U>(w1: number, a1: fc.Arbitrary<T>, w2: number, a2: fc.Arbitrary<U>) =>
  fc.oneof({ weight: w1, arbitrary: a1 }, { weight: w2, arbitrary: a2 });

/** The path with each parameter mostly a known-good value (so cases reach past routing and auth), else a nasty one. */
function pathArbitrary(template: string, good: Record<string, string[]>): fc.Arbitrary<string> {
  const segs = [...template.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]);
  return fc.tuple(...segs.map((s) => oneOrOther(3, fc.constantFrom(...(good[s]?.length ? good[s] : ['x'])), 1, value))).map((vals) => {
    let i = 0;
    return template.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(vals[i++] ?? '')).replace(/%2F/g, '/'));
  });
}

/** Cases aimed at one operation: its method, path, parameters and body, bent. */
function operationCase(spec: Spec, good: Record<string, string[]>, { method, template, op }: Operation): fc.Arbitrary<Case> {
  const params = (op.parameters ?? []).map((p: any) => spec.deref(p));
  const names = params.filter((p: any) => p.in === 'query').map((p: any) => p.name as string);
  const headerNames = params.filter((p: any) => p.in === 'header').map((p: any) => p.name as string);
  const key = names.length ? oneOrOther(4, fc.constantFrom(...names), 1, fc.string({ maxLength: 12 })) : fc.string({ maxLength: 12 });
  const hdrName = headerNames.length
    ? fc.oneof(fc.constantFrom(...headerNames, 'content-type', 'accept', 'x-amz-target'), fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/))
    : fc.constantFrom('content-type', 'accept', 'x-amz-target', 'x-forwarded-for');
  return fc.record({
    method: oneOrOther(8, fc.constant(method), 1, fc.constantFrom(...METHODS)),
    path: pathArbitrary(template, good),
    query: fc.array(fc.tuple(key, value), { maxLength: 8 }),
    rawQuery: oneOrOther(6, fc.constant(''), 1, fc.constantFrom(...RAW_QUERIES)),
    headers: fc.array(fc.tuple(hdrName, headerValue), { maxLength: 3 }),
    body: fc.option(jsonBody(spec, op), { nil: undefined }),
    auth: fc.constantFrom('valid', 'valid', 'valid', 'valid', 'valid', 'none', 'garbage'),
  });
}

/** Requests to no operation at all: unknown routes must get the vendor's 404, not a crash. */
const stray: fc.Arbitrary<Case> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  path: fc.oneof(fc.constantFrom('/', '/api', '/v1', '//', '/%2e%2e/', '/_emulator/manifest'), fc.webPath()),
  query: fc.array(fc.tuple(fc.string({ maxLength: 8 }), value), { maxLength: 3 }),
  rawQuery: fc.constant(''),
  headers: fc.constant([] as Array<[string, string]>),
  body: fc.option(fc.json(), { nil: undefined }),
  auth: fc.constantFrom('valid' as const, 'none' as const),
});

function caseArbitrary(spec: Spec, good: Record<string, string[]>): fc.Arbitrary<Case> {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(spec.doc.paths)) {
    for (const m of ['get', 'post', 'put', 'delete', 'head', 'patch']) if (item[m]) ops.push({ method: m.toUpperCase(), template, op: item[m] });
  }
  // Operations declared unserved (501: K2's S3 writes) answer the same whatever they are sent: fewer cases for them.
  const weighted = ops.map((o) => ({ weight: o.op.responses?.['501'] ? 1 : 6, arbitrary: fc.constant(o) }));
  const opCase = fc.oneof(...weighted).chain((o) => operationCase(spec, good, o));
  return oneOrOther(9, opCase, 1, stray);
}

async function send(base: string, auth: Authorizer, c: Case): Promise<{ status: number }> {
  const qs = new URLSearchParams(c.query).toString();
  const search = [qs, c.rawQuery].filter(Boolean).join('&');
  const path = (c.path.startsWith('/') ? c.path : `/${c.path}`).split('?')[0].split('#')[0];
  const full = new URL(`${base}${path}${search ? `?${search}` : ''}`);
  const headers: Record<string, string> = {};
  for (const [k, v] of c.headers) headers[k.toLowerCase()] = v;
  const method = c.method;
  const body = ['GET', 'HEAD', 'OPTIONS'].includes(method) ? undefined : c.body;
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  if (c.auth === 'valid') Object.assign(headers, await auth({ method, url: full, headers, body }));
  else if (c.auth === 'garbage') headers.authorization = 'Bearer 1.0:AAAA:BBBB';
  const res = await fetch(full, { method, headers, body, signal: AbortSignal.timeout(15_000) });
  await res.arrayBuffer();
  return { status: res.status };
}

export interface FuzzOptions {
  runs: number;
  seed: number;
}

/** Run `runs` cases against one served provider; returns how many got each status class ('2xx', '4xx'). */
export async function fuzzProvider(emu: Emulator, provider: Provider, o: FuzzOptions): Promise<Record<string, number>> {
  const entry = emu.manifest().providers[provider.id];
  if (!entry || !provider.hooks) throw new Error(`${provider.id} is not served or has no hooks`);
  const auth = await authorizerFor(provider, entry);
  const cases = caseArbitrary(loadSpec(provider.specFile), provider.hooks.pathValues(entry));
  const tally: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      const { status } = await send(entry.baseUrl, auth, c);
      const cls = `${String(status)[0]}xx`;
      tally[cls] = (tally[cls] ?? 0) + 1;
      // 501 is no failure where the spec declares it (K2's object storage: S3 operations it does not serve);
      // the emulator checks every response against the spec, so an undeclared 501 still fails.
      if (status !== 501) expect(status, JSON.stringify(c).slice(0, 500)).toBeLessThan(500);
      expect(status).toBeGreaterThanOrEqual(200);
    }),
    { numRuns: o.runs, seed: o.seed, endOnFailure: true },
  );
  return tally;
}
