import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

// ajv-formats ships CJS; under NodeNext its default import is the module namespace.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv2020) => Ajv2020;

/** An ajv instance that knows the standard formats (date-time, ipv4, email …). */
export function ajvWithFormats(opts: ConstructorParameters<typeof Ajv2020>[0]): Ajv2020 {
  return addFormats(new Ajv2020(opts));
}

/** The package root, found from this file whether it runs from source or from dist/. */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'openapi'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('audit-emulator: package root not found');
    dir = up;
  }
})();

export type OpenApiDoc = {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components?: Record<string, Record<string, any>>;
  [k: string]: unknown;
};

/**
 * One OpenAPI 3.1 document with an ajv instance over its schemas. Both the emulator (validating
 * injected records, strict request mode) and the contract suites (validating responses) use this.
 */
export class Spec {
  readonly doc: OpenApiDoc;
  readonly file: string;
  private readonly ajv: Ajv2020;
  private readonly id: string;
  private compiled = new Map<string, ValidateFunction>();

  constructor(file: string) {
    this.file = resolve(packageRoot, file);
    this.doc = parseYaml(readFileSync(this.file, 'utf8')) as OpenApiDoc;
    this.id = `spec:${file}`;
    // The specs are linted by Redocly in the tests; skipping ajv's meta-schema check saves most of
    // the cost of loading one.
    this.ajv = ajvWithFormats({ strict: false, allErrors: false, validateFormats: true, validateSchema: false });
    this.ajv.addSchema(this.doc, this.id);
  }

  /** A validator for a JSON pointer into the document (e.g. `/components/schemas/LogEntry`). */
  validator(pointer: string): ValidateFunction {
    let v = this.compiled.get(pointer);
    if (!v) {
      v = this.ajv.compile({ $ref: `${this.id}#${pointer}` });
      this.compiled.set(pointer, v);
    }
    return v;
  }

  schemaValidator(name: string): ValidateFunction {
    return this.validator(`/components/schemas/${escapePointer(name)}`);
  }

  /** Follow a local `$ref` (responses, parameters, request bodies are not schemas, so ajv does not). */
  deref<T = any>(obj: any): T {
    let cur = obj;
    for (let i = 0; i < 10 && cur && typeof cur === 'object' && typeof cur.$ref === 'string'; i++) {
      cur = this.at(cur.$ref.replace(/^#/, ''));
    }
    return cur as T;
  }

  at(pointer: string): any {
    let cur: any = this.doc;
    for (const part of pointer.split('/').slice(1)) cur = cur?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    return cur;
  }

  /** Find the spec path template and operation matching a concrete request path. */
  matchOperation(method: string, path: string): { template: string; operation: any; params: Record<string, string> } | null {
    const m = method.toLowerCase();
    // Opt-in for servers with case-insensitive routing that accept a trailing slash (ASP.NET).
    const loose = (this.doc['x-emulator-path-matching'] as { caseInsensitive?: boolean; trailingSlash?: boolean } | undefined) ?? {};
    if (loose.trailingSlash && path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    for (const [template, item] of Object.entries(this.doc.paths ?? {})) {
      const op = item?.[m];
      if (!op) continue;
      const params = matchTemplate(template, path, loose.caseInsensitive === true);
      if (params) return { template, operation: op, params };
    }
    return null;
  }
}

export function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function matchTemplate(template: string, path: string, caseInsensitive = false): Record<string, string> | null {
  const names: string[] = [];
  const re = new RegExp(
    '^' +
      template
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        // `{name+}` (the Smithy/API Gateway greedy label, e.g. an S3 object key) spans several segments.
        .replace(/\\?\{([^}]+?)(\\\+)?\\?\}/g, (_m, n, greedy) => (names.push(n), greedy ? '(.+)' : '([^/]+)')) +
      '$',
    caseInsensitive ? 'i' : '',
  );
  const m = re.exec(path);
  if (!m) return null;
  const out: Record<string, string> = {};
  names.forEach((n, i) => (out[n] = m[i + 1]));
  return out;
}

/**
 * An ajv error as one sentence that names the field. Where alternatives (anyOf/oneOf) all failed,
 * the most specific field is named and its alternatives joined with "or".
 */
export function describeAjvError(errors: ErrorObject[] | null | undefined, root = 'record'): string {
  const concrete = (errors ?? []).filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf' && e.keyword !== 'if');
  if (concrete.length === 0) return errors?.[0] ? describeOne(errors[0], root) : `${root} is invalid`;
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.keyword === 'required' || e.keyword === 'additionalProperties' ? 1 : 0);
  const deepest = Math.max(...concrete.map(depth));
  const chosen = concrete.filter((e) => depth(e) === deepest);
  const first = describeOne(chosen[0], root);
  const rest = chosen.slice(1).filter((e) => e.instancePath === chosen[0].instancePath && e.message && e.message !== chosen[0].message);
  return rest.length ? `${first} or ${rest.map((e) => e.message).join(' or ')}` : first;
}

function describeOne(e: ErrorObject, root: string): string {
  const base = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '';
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return `field '${base ? `${base}.${missing}` : missing}' is required`;
  }
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return `field '${base ? base + '.' : ''}${extra}' is not allowed`;
  }
  return base ? `field '${base}' ${e.message}` : `${root} ${e.message}`;
}

const cache = new Map<string, Spec>();
export function loadSpec(file: string): Spec {
  let s = cache.get(file);
  if (!s) cache.set(file, (s = new Spec(file)));
  return s;
}
