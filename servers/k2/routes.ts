import { randomUUID } from 'node:crypto';
import { readJsonBody } from '../core/body.js';
import { RateLimiter } from '../core/ratelimit.js';
import { Hono, type Context } from 'hono';
import type { CoreEnv, ProviderContext } from '../core/provider.js';
import { authenticate, queryPairs, type AuthFailure, type Caller } from './auth.js';
import { JSON11, consoleError, ctError, s3Error, xmlEscape } from './errors.js';
import { makeRecord, type K2Event, type K2World, type Resource } from './events.js';
import { OPERATIONS, parseBody } from './input.js';
import { bucketNameValid, type K2Api } from './ops.js';
import type { Reports } from './reports.js';
import type { K2State } from './trails.js';

const MAX_BODY = 1_000_000;

export interface RouteSettings {
  allowedRegions: string[] | null;
  sourceIpForApiCalls: boolean;
  lookupEventsPerSecond: number;
}

interface CallRecord {
  source: string;
  name: string;
  readOnly: boolean;
  requestParameters: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: { code: string; message: string };
  resources: Resource[];
  requestId: string;
}

export function k2Routes(ctx: ProviderContext<K2Event>, world: K2World, st: () => K2State, api: K2Api, reports: Reports, settings: RouteSettings): Hono<CoreEnv> {
  const app = new Hono<CoreEnv>();

  /** The call's own event, appended after its response is decided, at the time it arrived (section 6.1). */
  const record = (c: Context<CoreEnv>, arrival: number, caller: Caller, r: CallRecord) => {
    if (!st().subscriptionActive) return;
    ctx.store.insert({
      record: makeRecord({
        time: arrival,
        user: caller.user,
        customer: world.customer,
        region: world.region,
        accessKeyId: caller.accessKeyId,
        project: caller.project,
        source: r.source,
        name: r.name,
        readOnly: r.readOnly,
        userAgent: c.req.header('user-agent') ?? '',
        sourceIp: settings.sourceIpForApiCalls ? (c.req.header('x-forwarded-for') ?? '127.0.0.1') : undefined,
        error: r.error,
        requestParameters: r.requestParameters,
        responseElements: r.output ?? {},
        requestId: r.requestId,
        eventId: randomUUID(),
      }),
      resources: r.resources,
    });
  };

  // ---- CloudTrail, AWS JSON 1.1 -------------------------------------------------------------

  const ladder = (f: AuthFailure, requestId: string): Response => {
    switch (f.step) {
      case 'missing': return ctError(403, 'MissingAuthenticationTokenException', f.message, requestId);
      case 'incomplete': return ctError(400, 'IncompleteSignatureException', f.message, requestId);
      case 'unknown-key': return ctError(400, 'UnrecognizedClientException', f.message, requestId);
      default: return ctError(400, 'InvalidSignatureException', f.message, requestId);
    }
  };
  const lookupLimiter = new RateLimiter(settings.lookupEventsPerSecond, 1000);

  app.post('/', async (c) => {
    const requestId = randomUUID();
    const arrival = ctx.clock.now();
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > MAX_BODY) return ctError(413, 'RequestEntityTooLargeException', 'Request body is too large.', requestId);
    const auth = await authenticate(c, body, { world, service: 'cloudtrail', allowedRegions: settings.allowedRegions });
    if (!auth.ok) return ladder(auth.failure, requestId);
    const caller = auth.caller;
    const target = c.req.header('x-amz-target') ?? '';
    const op = target.slice(target.lastIndexOf('.') + 1);
    const fail = (type: string, message: string, rec?: Omit<CallRecord, 'requestId' | 'error' | 'source'>) => {
      if (rec) record(c, arrival, caller, { ...rec, source: 'cloudtrail.amazonaws.com', requestId, error: { code: type, message } });
      return ctError(400, type, message, requestId);
    };
    const spec = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    if (!spec) {
      const rec = op ? { name: op, readOnly: false, requestParameters: {}, resources: [] } : undefined;
      return fail('UnknownOperationException', `Unknown operation: ${op || target}`, rec);
    }
    const parsed = parseBody(body, spec.members);
    const params = parsed.ok ? parsed.input : parsed.raw;
    const base = { name: op, readOnly: spec.readOnly, requestParameters: params, resources: api.resourcesOf(params) };
    if (!parsed.ok) return fail('SerializationException', parsed.message, base);
    if (!st().subscriptionActive) return fail('OperationNotPermittedException', `The Activity Log subscription is inactive for customer ${world.customer}.`);
    if (!caller.user.admin) return fail('AccessDeniedException', `User ${caller.user.username} is not a member of the ActivityLogAdministrators group.`, base);
    if (op === 'LookupEvents' && !lookupLimiter.take(op).ok) return fail('ThrottlingException', 'Rate exceeded', base);
    const r = await api.run(op, parsed.input);
    if (r.error) return fail(r.error.type, r.error.message, { ...base, resources: r.resources });
    record(c, arrival, caller, { ...base, source: 'cloudtrail.amazonaws.com', resources: r.resources, output: r.output, requestId });
    return c.body(r.body ?? '{}', 200, { 'content-type': JSON11, 'x-amzn-requestid': requestId });
  });

  // ---- emulator console (no auth, not recorded) ---------------------------------------------

  const consoleBase = '/_console/k2/customers/:customer';
  // Only requests that are console operations answer NoSuchCustomer; anything else falls through
  // to the S3 routes or the 404 (`_console` is no valid bucket), so each request has one documented answer.
  const CONSOLE_OPS: Array<[string, RegExp]> = [
    ['GET', /^\/activity-log\/subscription$/], ['PUT', /^\/activity-log\/subscription$/],
    ['GET', /^\/buckets$/], ['PUT', /^\/buckets\/[^/]+$/], ['DELETE', /^\/buckets\/[^/]+$/],
    ['POST', /^\/activity-log\/reports$/], ['GET', /^\/activity-log\/reports$/],
    ['GET', /^\/activity-log\/reports\/[^/]+$/], ['GET', /^\/activity-log\/reports\/[^/]+\/content$/],
  ];
  app.use(`${consoleBase}/*`, async (c, next) => {
    const rest = new URL(c.req.url).pathname.replace(/^\/_console\/k2\/customers\/[^/]+/, '');
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    if (c.req.param('customer') !== world.customer && CONSOLE_OPS.some(([m, re]) => m === method && re.test(rest))) {
      return consoleError(404, 'NoSuchCustomer', `No customer named '${c.req.param('customer')}'.`);
    }
    await next();
  });
  const jsonBody = async (c: Context<CoreEnv>): Promise<{ ok: true; value: unknown } | { ok: false; res: Response }> => {
    const r = await readJsonBody(c.req.raw, MAX_BODY);
    if (!r.ok) return { ok: false, res: consoleError(400, 'InvalidParameter', r.why === 'too_large' ? 'body too large' : 'body is not valid JSON') };
    return { ok: true, value: r.empty ? {} : r.value };
  };

  app.get(`${consoleBase}/activity-log/subscription`, (c) => c.json({ active: st().subscriptionActive }));
  app.put(`${consoleBase}/activity-log/subscription`, async (c) => {
    const b = await jsonBody(c);
    if (!b.ok) return b.res;
    const v = b.value as Record<string, unknown> | null;
    if (!v || typeof v !== 'object' || typeof v.active !== 'boolean') return consoleError(400, 'InvalidParameter', "field 'active' must be true or false");
    await api.delivery.catchUp();
    const s = st();
    if (v.active && !s.subscriptionActive) {
      // Periods that passed while the subscription was off are never delivered.
      const due = Math.floor(ctx.clock.now() / 300_000) * 300_000;
      for (const t of s.trails) t.deliveredUntil = Math.max(t.deliveredUntil, due);
    }
    s.subscriptionActive = v.active;
    return c.json({ active: s.subscriptionActive });
  });

  app.get(`${consoleBase}/buckets`, (c) => c.json({ buckets: st().buckets.map((b) => ({ name: b.name, createdAt: new Date(b.createdAt).toISOString() })) }));
  app.put(`${consoleBase}/buckets/:bucket`, async (c) => {
    const name = c.req.param('bucket');
    if (!bucketNameValid(name)) return consoleError(400, 'InvalidBucketName', `The specified bucket is not valid: ${name}`);
    await api.delivery.catchUp();
    const s = st();
    const existing = s.buckets.find((b) => b.name === name);
    if (existing) return c.json({ name, createdAt: new Date(existing.createdAt).toISOString() }, 200);
    const created = { name, createdAt: ctx.clock.now() };
    s.buckets.push(created);
    return c.json({ name, createdAt: new Date(created.createdAt).toISOString() }, 201);
  });
  app.delete(`${consoleBase}/buckets/:bucket`, async (c) => {
    const name = c.req.param('bucket');
    await api.delivery.catchUp();
    const s = st();
    if (!s.buckets.some((b) => b.name === name)) return consoleError(404, 'NoSuchBucket', `The specified bucket does not exist: ${name}`);
    s.buckets = s.buckets.filter((b) => b.name !== name);
    s.objects = s.objects.filter((o) => o.bucket !== name);
    return c.body(null, 204);
  });

  app.post(`${consoleBase}/activity-log/reports`, async (c) => {
    const b = await jsonBody(c);
    if (!b.ok) return b.res;
    const r = reports.create(b.value);
    if (!r.ok) return consoleError(r.status, r.error, r.message);
    return c.json(r.report, 202);
  });
  app.get(`${consoleBase}/activity-log/reports`, (c) => c.json({ reports: reports.list() }));
  app.get(`${consoleBase}/activity-log/reports/:reportId`, (c) => {
    const r = reports.get(c.req.param('reportId'));
    if (!r) return consoleError(404, 'NoSuchReport', `No report with id '${c.req.param('reportId')}'.`);
    return c.json(reports.view(r));
  });
  app.get(`${consoleBase}/activity-log/reports/:reportId/content`, (c) => {
    const r = reports.get(c.req.param('reportId'));
    if (!r) return consoleError(404, 'NoSuchReport', `No report with id '${c.req.param('reportId')}'.`);
    if (!reports.isReady(r)) return consoleError(409, 'ReportNotReady', 'The report is still generating.');
    return c.body(r.content, 200, {
      'content-type': r.format === 'csv' ? 'text/csv' : 'application/json',
      'content-disposition': `attachment; filename="activity-log-${r.reportId}.${r.format}"`,
    });
  });

  // ---- S3-compatible reads of trail archives ------------------------------------------------

  const s3Auth = async (c: Context<CoreEnv>, head: boolean): Promise<{ caller: Caller } | { res: Response }> => {
    const body = new Uint8Array(await c.req.arrayBuffer());
    const a = await authenticate(c, body, { world, service: 's3', allowedRegions: settings.allowedRegions });
    if (!a.ok) {
      const f = a.failure;
      switch (f.step) {
        case 'missing': return { res: s3Error(403, 'AccessDenied', 'Access Denied', head) };
        case 'incomplete':
        case 'scope': return { res: s3Error(400, 'AuthorizationHeaderMalformed', f.message, head) };
        case 'unknown-key': return { res: s3Error(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', head) };
        case 'expired':
        case 'not-yet': return { res: s3Error(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', head) };
        default: return { res: s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', head) };
      }
    }
    if (c.req.header('x-amz-content-sha256') === undefined) return { res: s3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', head) };
    return { caller: a.caller };
  };
  const s3Record = (c: Context<CoreEnv>, arrival: number, caller: Caller, name: string, params: Record<string, unknown>, resources: Resource[], error?: { code: string; message: string }) =>
    record(c, arrival, caller, { source: 's3.amazonaws.com', name, readOnly: true, requestParameters: params, resources, requestId: randomUUID(), error });

  const listObjects = async (c: Context<CoreEnv, '/:bucket'>) => {
    const arrival = ctx.clock.now();
    const a = await s3Auth(c, false);
    if ('res' in a) return a.res;
    const bucket = c.req.param('bucket');
    const q = new Map<string, string>();
    for (const [k, v] of queryPairs(c.req.url)) if (!q.has(k)) q.set(k, v);
    const params: Record<string, unknown> = { bucketName: bucket, ...Object.fromEntries(q) };
    const resources = [{ ResourceType: 'AWS::S3::Bucket', ResourceName: bucket }];
    const refuse = (status: number, code: string, message: string) => {
      s3Record(c, arrival, a.caller, 'ListObjects', params, resources, { code, message });
      return s3Error(status, code, message, false, code === 'NoSuchBucket' ? { BucketName: bucket } : {});
    };
    // S3 would answer ListObjects v1 here; the emulator serves v2 only and says so with a 4xx (never a 5xx).
    if (q.get('list-type') !== '2') return refuse(400, 'InvalidArgument', 'Only ListObjectsV2 (list-type=2) is supported by the emulator.');
    await api.delivery.catchUp();
    if (!st().buckets.some((b) => b.name === bucket)) return refuse(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const maxRaw = q.get('max-keys');
    if (maxRaw !== undefined && !/^\d{1,9}$/.test(maxRaw)) return refuse(400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
    const maxKeys = Math.min(1000, maxRaw === undefined ? 1000 : Number(maxRaw));
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') || undefined;
    const token = q.get('continuation-token');
    let after = q.get('start-after') ?? '';
    if (token !== undefined) {
      const decoded = Buffer.from(token, 'base64url').toString('utf8');
      if (!token || !decoded.startsWith('k:')) return refuse(400, 'InvalidArgument', 'The continuation token provided is incorrect');
      after = decoded.slice(2);
    }
    const urlEnc = q.get('encoding-type') === 'url';
    const enc = (s: string) => xmlEscape(urlEnc ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
    const keys = st().objects.filter((o) => o.bucket === bucket && o.key.startsWith(prefix) && o.key > after).sort((x, y) => Buffer.compare(Buffer.from(x.key), Buffer.from(y.key)));
    let contents = '';
    const prefixes: string[] = [];
    let count = 0;
    let last = '';
    let truncated = false;
    for (const o of keys) {
      if (delimiter) {
        const i = o.key.indexOf(delimiter, prefix.length);
        if (i >= 0) {
          const p = o.key.slice(0, i + delimiter.length);
          if (prefixes.includes(p)) continue;
          if (count === maxKeys) { truncated = true; break; }
          prefixes.push(p);
          count++;
          // Skip past every key under this common prefix.
          last = p + '\uffff';
          continue;
        }
      }
      if (count === maxKeys) { truncated = true; break; }
      contents += `<Contents><Key>${enc(o.key)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      count++;
      last = o.key;
    }
    let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${enc(prefix)}</Prefix>`;
    if (delimiter) xml += `<Delimiter>${enc(delimiter)}</Delimiter>`;
    xml += `<MaxKeys>${maxKeys}</MaxKeys>`;
    if (urlEnc) xml += '<EncodingType>url</EncodingType>';
    xml += `<KeyCount>${count}</KeyCount><IsTruncated>${truncated}</IsTruncated>`;
    if (token !== undefined) xml += `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>`;
    if (truncated) xml += `<NextContinuationToken>${Buffer.from(`k:${last}`).toString('base64url')}</NextContinuationToken>`;
    if (q.has('start-after')) xml += `<StartAfter>${enc(q.get('start-after')!)}</StartAfter>`;
    xml += contents + prefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`).join('') + '</ListBucketResult>';
    s3Record(c, arrival, a.caller, 'ListObjects', params, resources);
    return c.body(xml, 200, { 'content-type': 'application/xml' });
  };
  // The AWS SDKs ask for `/{bucket}/`, the CLI for `/{bucket}`.
  app.get('/:bucket', listObjects);
  app.get('/:bucket/', listObjects);

  // GET and HEAD (Hono answers HEAD with the GET route; the raw method tells them apart).
  // `[^]` rather than `.`: an object key may contain CR or LF (found by the fuzzer).
  app.get('/:bucket/:key{[^]+}', async (c) => {
    const arrival = ctx.clock.now();
    const head = c.req.method === 'HEAD';
    const a = await s3Auth(c, head);
    if ('res' in a) return a.res;
    const bucket = c.req.param('bucket');
    const key = c.req.param('key');
    const name = head ? 'HeadObject' : 'GetObject';
    const params = { bucketName: bucket, key };
    const resources = [{ ResourceType: 'AWS::S3::Bucket', ResourceName: bucket }, { ResourceType: 'AWS::S3::Object', ResourceName: `${bucket}/${key}` }];
    await api.delivery.catchUp();
    const s = st();
    if (!s.buckets.some((b) => b.name === bucket)) {
      s3Record(c, arrival, a.caller, name, params, resources, { code: 'NoSuchBucket', message: 'The specified bucket does not exist' });
      return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', head, { BucketName: bucket });
    }
    const obj = s.objects.find((o) => o.bucket === bucket && o.key === key);
    if (!obj) {
      s3Record(c, arrival, a.caller, name, params, resources, { code: 'NoSuchKey', message: 'The specified key does not exist.' });
      return s3Error(404, 'NoSuchKey', 'The specified key does not exist.', head, { Key: key });
    }
    s3Record(c, arrival, a.caller, name, params, resources);
    const bytes = Buffer.from(obj.body, 'base64');
    return new Response(head ? null : bytes, {
      status: 200,
      headers: {
        'content-type': 'application/gzip',
        'content-length': String(bytes.length),
        etag: `"${obj.etag}"`,
        'last-modified': new Date(obj.lastModified).toUTCString(),
        'accept-ranges': 'bytes',
      },
    });
  });

  return app;
}
