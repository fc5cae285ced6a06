import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { fail } from '../core/failure.js';
import { k2Auth, type K2Env } from './auth.js';
import { arrive, type CallLog, type CallRecord } from './calls.js';
import type { S3ErrorFields } from './errors.js';
import type { K2Api } from './ops.js';
import { firstValues, listQuery, UNSERVED_SUBRESOURCES, type ListQuery } from './query.js';
import type { K2Context, StoredObject } from './state.js';
import { rawPath } from './sigv4.js';
import { xmlEscape } from './wire.js';
import type { K2World } from './world.js';

const SOURCE = 's3.amazonaws.com';
const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XML = { 'content-type': 'application/xml' };
const SERVED = 'ListBuckets, ListObjects, ListObjectsV2, GetObject and HeadObject';
/** The methods S3 has; any other is MethodNotAllowed. */
const S3_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'DELETE']);

/** One page of keys and common prefixes, in S3's byte order. */
function listing(objects: StoredObject[], bucket: string, q: ListQuery) {
  const keys = objects
    .filter((o) => o.bucket === bucket && o.key.startsWith(q.prefix) && o.key > q.after)
    .sort((x, y) => Buffer.compare(Buffer.from(x.key), Buffer.from(y.key)));
  const contents: StoredObject[] = [];
  const prefixes: string[] = [];
  let last = '';
  let truncated = false;
  for (const o of keys) {
    const i = q.delimiter ? o.key.indexOf(q.delimiter, q.prefix.length) : -1;
    const p = i >= 0 ? o.key.slice(0, i + q.delimiter!.length) : undefined;
    if (p !== undefined && prefixes.includes(p)) continue;
    if (contents.length + prefixes.length === q.maxKeys) {
      truncated = true;
      break;
    }
    if (p !== undefined) {
      prefixes.push(p);
      // Skip past every key under this common prefix.
      last = p + '\uffff';
    } else {
      contents.push(o);
      last = o.key;
    }
  }
  return { contents, prefixes, last, truncated };
}

function listXml(bucket: string, q: ListQuery, page: ReturnType<typeof listing>): string {
  const enc = (s: string) => xmlEscape(q.urlEncoded ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${NS}">`;
  xml += `<Name>${xmlEscape(bucket)}</Name><Prefix>${enc(q.prefix)}</Prefix>`;
  if (!q.v2) xml += `<Marker>${enc(q.marker ?? '')}</Marker>`;
  if (q.delimiter) xml += `<Delimiter>${enc(q.delimiter)}</Delimiter>`;
  xml += `<MaxKeys>${q.maxKeys}</MaxKeys>`;
  if (q.urlEncoded) xml += '<EncodingType>url</EncodingType>';
  if (q.v2) xml += `<KeyCount>${page.contents.length + page.prefixes.length}</KeyCount>`;
  xml += `<IsTruncated>${page.truncated}</IsTruncated>`;
  if (q.v2) {
    if (q.token !== undefined) xml += `<ContinuationToken>${xmlEscape(q.token)}</ContinuationToken>`;
    if (page.truncated) xml += `<NextContinuationToken>${Buffer.from(`k:${page.last}`).toString('base64url')}</NextContinuationToken>`;
    if (q.startAfter !== undefined) xml += `<StartAfter>${enc(q.startAfter)}</StartAfter>`;
  } else if (page.truncated && q.delimiter) {
    // v1 names the next marker only with a delimiter; without one, clients continue from the last key.
    xml += `<NextMarker>${enc(page.last)}</NextMarker>`;
  }
  for (const o of page.contents) {
    xml += `<Contents><Key>${enc(o.key)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified>`;
    xml += `<ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
  }
  return xml + page.prefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`).join('') + '</ListBucketResult>';
}

function bucketsXml(customer: string, buckets: Array<{ name: string; createdAt: number }>): string {
  const owner = `<Owner><ID>${xmlEscape(customer)}</ID><DisplayName>${xmlEscape(customer)}</DisplayName></Owner>`;
  const list = [...buckets]
    .sort((x, y) => Buffer.compare(Buffer.from(x.name), Buffer.from(y.name)))
    .map((b) => `<Bucket><Name>${xmlEscape(b.name)}</Name><CreationDate>${new Date(b.createdAt).toISOString()}</CreationDate></Bucket>`)
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="${NS}">${owner}<Buckets>${list}</Buckets></ListAllMyBucketsResult>`;
}

type Call = Omit<CallRecord, 'error'>;

/** The S3 operations: each records the call, refused or not. */
class S3Handlers {
  constructor(
    private readonly ctx: K2Context,
    private readonly world: K2World,
    private readonly api: K2Api,
    private readonly calls: CallLog,
  ) {}

  /** ListBuckets (`GET /`, what `aws s3 ls` sends): the customer's buckets. */
  listBuckets(c: Context<K2Env>): Response {
    this.calls.record(c, this.call(c, 'ListBuckets', {}, []));
    return c.body(bucketsXml(this.world.customer, this.ctx.state.buckets), 200, XML);
  }

  private call(c: Context<K2Env>, name: string, requestParameters: Record<string, unknown>, resources: CallRecord['resources']): Call {
    return { source: SOURCE, name, readOnly: true, requestParameters, resources, requestId: c.get('requestId') };
  }

  private refuse(c: Context<K2Env>, rec: Call, kind: 'bad-request' | 'not-found', code: string, message: string, detail?: S3ErrorFields): never {
    return this.calls.refuse(c, rec, { kind, code, message, detail });
  }

  private noSuchBucket(c: Context<K2Env>, rec: Call, bucket: string): never {
    return this.refuse(c, rec, 'not-found', 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  }

  async listObjects(c: Context<K2Env, '/:bucket'>): Promise<Response> {
    const bucket = c.req.param('bucket');
    const q = firstValues(c.req.url);
    const params = Object.fromEntries([...q].filter(([k]) => !k.startsWith('X-Amz-')));
    const rec = this.call(c, 'ListObjects', { bucketName: bucket, ...params }, [{ ResourceType: 'AWS::S3::Bucket', ResourceName: bucket }]);
    await this.api.delivery.catchUp();
    if (!this.ctx.state.buckets.some((b) => b.name === bucket)) return this.noSuchBucket(c, rec, bucket);
    const query = listQuery(q);
    if (typeof query === 'string') return this.refuse(c, rec, 'bad-request', 'InvalidArgument', query);
    const xml = listXml(bucket, query, listing(this.ctx.state.objects, bucket, query));
    this.calls.record(c, rec);
    return c.body(xml, 200, XML);
  }

  /** GetObject, or HeadObject when the raw method is HEAD (Hono answers HEAD with the GET route). */
  async getObject(c: Context<K2Env, '/:bucket/:key{[^]+}'>): Promise<Response> {
    const head = c.req.method === 'HEAD';
    const bucket = c.req.param('bucket');
    const key = c.req.param('key');
    const resources = [
      { ResourceType: 'AWS::S3::Bucket', ResourceName: bucket },
      { ResourceType: 'AWS::S3::Object', ResourceName: `${bucket}/${key}` },
    ];
    const rec = this.call(c, head ? 'HeadObject' : 'GetObject', { bucketName: bucket, key }, resources);
    await this.api.delivery.catchUp();
    const s = this.ctx.state;
    if (!s.buckets.some((b) => b.name === bucket)) return this.noSuchBucket(c, rec, bucket);
    const obj = s.objects.find((o) => o.bucket === bucket && o.key === key);
    if (!obj) return this.refuse(c, rec, 'not-found', 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    this.calls.record(c, rec);
    // HEAD needs only what the listing holds; GET renders the archive again.
    const bytes = head ? null : new Uint8Array(await this.api.delivery.render(obj));
    return new Response(bytes, {
      status: 200,
      headers: {
        'content-type': 'application/gzip',
        'content-length': String(obj.size),
        etag: `"${obj.etag}"`,
        'last-modified': new Date(obj.lastModified).toUTCString(),
        'accept-ranges': 'bytes',
      },
    });
  }
}

/**
 * What the emulator does not serve answers as S3 does, before any signature check: a method S3
 * does not have is MethodNotAllowed, any other operation (writes, subresources such as `?acl`)
 * NotImplemented. Never CloudTrail's dialect: this is the object storage's address space.
 */
const notServed: MiddlewareHandler<K2Env> = async (c, next) => {
  const method = c.req.method;
  // `//...`: an empty bucket name, which no operation has.
  if (rawPath(c.req.url).startsWith('//')) fail.notFound('The specified bucket does not exist', { code: 'NoSuchBucket', detail: { BucketName: '' } });
  if (!S3_METHODS.has(method)) {
    const detail = { Method: method, ResourceType: 'OBJECT' };
    fail.badRequest('The specified method is not allowed against this resource.', { code: 'MethodNotAllowed', detail });
  }
  const sub = [...firstValues(c.req.url).keys()].find((k) => UNSERVED_SUBRESOURCES.has(k));
  if ((method !== 'GET' && method !== 'HEAD') || sub !== undefined) {
    fail.badRequest(`The emulator's object storage serves ${SERVED} only.`, { code: 'NotImplemented', detail: { Method: method } });
  }
  await next();
};

/** Read-only, path-style S3 over the trail archives in `ctx.state`; every signed call is recorded. */
export function s3Routes(ctx: K2Context, world: K2World, api: K2Api, calls: CallLog): Hono<K2Env> {
  const app = new Hono<K2Env>();
  const enter = [arrive(ctx, 's3'), notServed, k2Auth('s3', { world, allowedRegions: ctx.settings.allowedRegions })] as const;
  const s3 = new S3Handlers(ctx, world, api, calls);
  app.get('/', ...enter, (c) => s3.listBuckets(c));
  // The AWS SDKs ask for `/{bucket}/`, the CLI for `/{bucket}`.
  app.get('/:bucket', ...enter, (c) => s3.listObjects(c));
  app.get('/:bucket/', ...enter, (c) => s3.listObjects(c));
  // `[^]` rather than `.`: an object key may contain CR or LF (found by the fuzzer).
  app.get('/:bucket/:key{[^]+}', ...enter, (c) => s3.getObject(c));
  // Writes answer NotImplemented (notServed throws); POST / is CloudTrail's.
  const refuse = [arrive(ctx, 's3'), notServed, () => fail.notFound('The specified key does not exist.', { code: 'NoSuchKey' })] as const;
  app.on(['PUT', 'DELETE'], '/', ...refuse);
  app.on(['PUT', 'POST', 'DELETE'], ['/:bucket', '/:bucket/', '/:bucket/:key{[^]+}'], ...refuse);
  app.all('*', ...refuse);
  return app;
}
