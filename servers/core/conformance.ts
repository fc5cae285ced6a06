import type { Context } from 'hono';
import { describeAjvError, loadSpec, type Spec } from './spec.js';

/** JSON pointer escaping of one path segment. */
const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ConformanceResult {
  ok: boolean;
  /** Operation matched in the spec, e.g. `GET /v1/organizations/{organization_id}/audit-logs`. */
  operation?: string;
  errors: string[];
}

export interface ObservedResponse {
  method: string;
  /** Request path without the query string. */
  path: string;
  status: number;
  contentType?: string | null;
  body: unknown;
}

/**
 * Does a response conform to the vendor's spec? One validator (ajv over the spec's schemas)
 * serves every vendor: the operation is found by method and path template, the response by
 * status (or `default`), and the body is checked against that response's JSON schema.
 */
export function checkResponse(specOrFile: Spec | string, res: ObservedResponse): ConformanceResult {
  const spec = typeof specOrFile === 'string' ? loadSpec(specOrFile) : specOrFile;
  const match = spec.matchOperation(res.method, res.path);
  // HEAD is GET without a body (HTTP semantics; Hono answers it from the GET route).
  if (!match && res.method.toUpperCase() === 'HEAD' && spec.matchOperation('GET', res.path)) {
    return checkResponse(spec, { ...res, method: 'GET', body: undefined, headOnly: true } as ObservedResponse);
  }
  if (!match) {
    // Unknown routes answer with the vendor's NotFound response (components.responses.NotFound).
    const notFound = spec.doc.components?.responses?.NotFound;
    if ((res.status === 404 || res.status === 405) && notFound) {
      // The media type the response was sent as when declared (a vendor may answer JSON or text), else the first.
      const declaredTypes = Object.keys(notFound.content ?? {});
      const sentType = (res.contentType ?? '').split(';')[0].trim().toLowerCase();
      const media = declaredTypes.find((m) => m.toLowerCase() === sentType) ?? declaredTypes[0];
      if (!media) return { ok: true, operation: 'unknown route', errors: [] };
      const v = spec.validator(`/components/responses/NotFound/content/${media.replace(/\//g, '~1')}/schema`);
      return v(res.body)
        ? { ok: true, operation: 'unknown route', errors: [] }
        : { ok: false, operation: 'unknown route', errors: (v.errors ?? []).map((e) => describeAjvError([e], 'body')) };
    }
    return { ok: false, errors: [`no operation for ${res.method} ${res.path} in ${spec.file}`] };
  }
  const operation = `${res.method.toUpperCase()} ${match.template}`;
  const responses = match.operation.responses ?? {};
  const key = String(res.status) in responses ? String(res.status) : `${String(res.status)[0]}XX` in responses ? `${String(res.status)[0]}XX` : 'default';
  const declared = spec.deref(responses[key]);
  if (!declared) return { ok: false, operation, errors: [`status ${res.status} is not declared for ${operation}`] };
  const content = declared.content as Record<string, { schema?: unknown }> | undefined;
  // A HEAD answer carries no body on the wire: only its status is checked.
  if ((res as { headOnly?: boolean }).headOnly || res.method.toUpperCase() === 'HEAD') return { ok: true, operation: `HEAD ${match.template}`, errors: [] };
  if (!content) {
    return res.body === undefined || res.body === '' || res.body === null
      ? { ok: true, operation, errors: [] }
      : { ok: false, operation, errors: [`${operation} ${res.status} declares no body`] };
  }
  const mediaTypes = Object.keys(content);
  const ct = (res.contentType ?? '').split(';')[0].trim().toLowerCase();
  const media = mediaTypes.find((m) => m.toLowerCase() === ct) ?? (ct === '' ? mediaTypes[0] : undefined);
  if (!media) return { ok: false, operation, errors: [`content type '${ct}' is not declared for ${operation} ${res.status} (${mediaTypes.join(', ')})`] };
  if (!content[media].schema) return { ok: true, operation, errors: [] };
  const pointer = findPointer(spec, match.template, res.method.toLowerCase(), key, media, declared);
  const validate = spec.validator(pointer);
  if (validate(res.body)) return { ok: true, operation, errors: [] };
  return { ok: false, operation, errors: (validate.errors ?? []).map((e) => describeAjvError([e], 'body')) };
}

/** JSON pointer of the response schema, through a `$ref`'d response object when there is one. */
function findPointer(spec: Spec, template: string, method: string, status: string, media: string, declared: any): string {
  const raw = spec.doc.paths[template][method].responses[status];
  const base = raw?.$ref ? String(raw.$ref).replace(/^#/, '') : `/paths/${esc(template)}/${method}/responses/${esc(status)}`;
  void declared;
  return `${base}/content/${esc(media)}/schema`;
}

/** Throws with every schema error when the response does not conform (for tests). */
export function assertConforms(specOrFile: Spec | string, res: ObservedResponse): void {
  const r = checkResponse(specOrFile, res);
  if (!r.ok) throw new Error(`response does not conform to ${r.operation ?? 'the spec'} (${res.status}):\n  ${r.errors.join('\n  ')}`);
}

/** Validate a fetch Response (reads a clone of its body). */
export async function checkFetchResponse(specOrFile: Spec | string, method: string, url: string, res: Response): Promise<ConformanceResult> {
  const text = await res.clone().text();
  let body: unknown = text;
  const ct = res.headers.get('content-type');
  if (ct && /json/.test(ct)) {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, errors: ['body is not valid JSON'] };
    }
  }
  return checkResponse(specOrFile, { method, path: new URL(url).pathname, status: res.status, contentType: ct, body });
}

export interface ObservedRequest {
  method: string;
  /** Absolute URL or path with query. */
  url: string;
  headers?: Record<string, string> | Headers;
  body?: string;
}

export interface RequestProblem {
  /** `query.limit`, `header.X-Crusoe-Timestamp`, `body`, `body.MaxResults`. */
  where: string;
  message: string;
}

const IGNORED_HEADERS = new Set(['authorization', 'content-type', 'accept']);

/** Coerce a raw query/header/path value to what its schema expects, so ajv can check it. */
function coerce(schema: any, raw: string[]): unknown {
  const type = Array.isArray(schema?.type) ? schema.type.find((t: string) => t !== 'null') : schema?.type;
  if (type === 'array') {
    const parts = raw.flatMap((v) => v.split(','));
    return parts.map((p) => coerce(schema.items ?? {}, [p]));
  }
  const v = raw[raw.length - 1];
  if ((type === 'integer' || type === 'number') && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

type Operation = NonNullable<ReturnType<Spec['matchOperation']>>;

/** The operation's parameters and the path-level ones it does not override, each with its schema's pointer. */
function parametersOf(spec: Spec, match: Operation, opPointer: string): Array<{ p: any; pointer: string }> {
  const params: Array<{ p: any; pointer: string }> = [];
  const collect = (list: any[] | undefined, base: string) =>
    (list ?? []).forEach((raw, i) => {
      const p = spec.deref(raw);
      const pointer = raw?.$ref ? `${String(raw.$ref).replace(/^#/, '')}/schema` : `${base}/parameters/${i}/schema`;
      if (!params.some((q) => q.p.name === p.name && q.p.in === p.in)) params.push({ p, pointer });
    });
  collect(match.operation.parameters, opPointer);
  collect(spec.doc.paths[match.template].parameters, `/paths/${esc(match.template)}`);
  return params;
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

function checkParameters(spec: Spec, match: Operation, opPointer: string, url: URL, headers: Headers): RequestProblem[] {
  const problems: RequestProblem[] = [];
  const known = new Set<string>();
  for (const { p, pointer } of parametersOf(spec, match, opPointer)) {
    let raw: string[];
    if (p.in === 'query') {
      known.add(p.name);
      raw = url.searchParams.getAll(p.name);
    } else if (p.in === 'header') {
      if (IGNORED_HEADERS.has(String(p.name).toLowerCase())) continue;
      const h = headers.get(p.name);
      raw = h === null ? [] : [h];
    } else if (p.in === 'path') {
      const v = match.params[p.name];
      raw = v === undefined ? [] : [safeDecode(v)];
    } else continue;
    const where = `${p.in}.${p.name}`;
    if (raw.length === 0) {
      if (p.required) problems.push({ where, message: `missing required ${p.in} parameter '${p.name}'` });
      continue;
    }
    if (!p.schema) continue;
    const validate = spec.validator(pointer);
    if (!validate(coerce(p.schema, raw)))
      problems.push({ where, message: `${p.in} parameter '${p.name}' ${describeAjvError(validate.errors, 'value').replace(/^value /, '')}` });
  }
  for (const key of new Set(url.searchParams.keys())) {
    if (!known.has(key)) problems.push({ where: `query.${key}`, message: `unknown query parameter '${key}'` });
  }
  return problems;
}

function checkBody(spec: Spec, match: Operation, opPointer: string, headers: Headers, body: string): RequestProblem[] {
  const rb = spec.deref(match.operation.requestBody);
  if (!rb) return [];
  const ct = (headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const media = Object.keys(rb.content ?? {});
  if (body === '') return rb.required ? [{ where: 'body', message: 'a request body is required' }] : [];
  const m = media.find((x) => x.toLowerCase() === ct);
  if (m === undefined) return [{ where: 'header.Content-Type', message: `content type '${ct}' is not one of ${media.join(', ')}` }];
  if (!/json/.test(m) || !rb.content[m].schema) return [];
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return [{ where: 'body', message: 'the body is not valid JSON' }];
  }
  const base = match.operation.requestBody?.$ref ? String(match.operation.requestBody.$ref).replace(/^#/, '') : `${opPointer}/requestBody`;
  const validate = spec.validator(`${base}/content/${esc(m)}/schema`);
  return validate(value) ? [] : [{ where: 'body', message: describeAjvError(validate.errors, 'body') }];
}

/**
 * Does a request conform to the vendor's spec (path, query and header parameters, body)? Used by
 * the emulator's strict mode (`--validate-requests`) and by users' own tests of their clients.
 * Requests to routes the spec does not have are left to the vendor (its 404).
 */
export function checkRequest(specOrFile: Spec | string, req: ObservedRequest): { ok: boolean; operation?: string; problems: RequestProblem[] } {
  const spec = typeof specOrFile === 'string' ? loadSpec(specOrFile) : specOrFile;
  const url = new URL(req.url, 'http://emulator.invalid');
  const method = req.method.toUpperCase() === 'HEAD' && !spec.matchOperation('HEAD', url.pathname) ? 'GET' : req.method;
  const match = spec.matchOperation(method, url.pathname);
  if (!match) return { ok: true, problems: [] };
  const operation = `${method.toUpperCase()} ${match.template}`;
  const headers = new Headers(req.headers);
  const opPointer = `/paths/${esc(match.template)}/${method.toLowerCase()}`;
  const problems = [...checkParameters(spec, match, opPointer, url, headers), ...checkBody(spec, match, opPointer, headers, req.body ?? '')];
  return { ok: problems.length === 0, operation, problems };
}

/** Check the response a Hono handler produced against a spec; each problem goes to onViolation as one line. */
/** `path`: the spec's path when the request's own differs (a route mounted under a prefix). */
export async function checkConformance(
  id: string,
  c: Context,
  spec: Spec,
  onViolation: (v: string) => void,
  path = new URL(c.req.url).pathname,
): Promise<void> {
  const res = c.res.clone();
  const ct = res.headers.get('content-type');
  const text = await res.text();
  let body: unknown = text;
  if (ct && /json/.test(ct)) {
    try {
      body = JSON.parse(text);
    } catch {
      onViolation(`${id} ${c.req.method} ${path} ${res.status}: body is not JSON`);
    }
  }
  const r = checkResponse(spec, { method: c.req.method, path, status: res.status, contentType: ct, body });
  if (!r.ok) onViolation(`${id} ${c.req.method} ${path} ${res.status}: ${r.errors.join('; ')}`);
}
