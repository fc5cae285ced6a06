import { Hono, type Context } from 'hono';
import { k2Auth, type K2Env } from './auth.js';
import { arrive, type CallLog, type CallRecord } from './calls.js';
import type { S3ErrorFields } from './errors.js';
import type { K2Api } from './ops.js';
import { firstValues, listQuery, type ListQuery } from './query.js';
import type { K2Context, StoredObject } from './state.js';
import { xmlEscape } from './wire.js';
import type { K2World } from './world.js';

const SOURCE = 's3.amazonaws.com';

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
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`;
  xml += `<Name>${xmlEscape(bucket)}</Name><Prefix>${enc(q.prefix)}</Prefix>`;
  if (q.delimiter) xml += `<Delimiter>${enc(q.delimiter)}</Delimiter>`;
  xml += `<MaxKeys>${q.maxKeys}</MaxKeys>`;
  if (q.urlEncoded) xml += '<EncodingType>url</EncodingType>';
  xml += `<KeyCount>${page.contents.length + page.prefixes.length}</KeyCount><IsTruncated>${page.truncated}</IsTruncated>`;
  if (q.token !== undefined) xml += `<ContinuationToken>${xmlEscape(q.token)}</ContinuationToken>`;
  if (page.truncated) xml += `<NextContinuationToken>${Buffer.from(`k:${page.last}`).toString('base64url')}</NextContinuationToken>`;
  if (q.startAfter !== undefined) xml += `<StartAfter>${enc(q.startAfter)}</StartAfter>`;
  for (const o of page.contents) {
    xml += `<Contents><Key>${enc(o.key)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified>`;
    xml += `<ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
  }
  return xml + page.prefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`).join('') + '</ListBucketResult>';
}

type Call = Omit<CallRecord, 'error'>;

/** The S3 operations: each records the call, refused or not. */
class S3Handlers {
  constructor(
    private readonly ctx: K2Context,
    private readonly api: K2Api,
    private readonly calls: CallLog,
  ) {}

  private call(c: Context<K2Env>, name: string, requestParameters: Record<string, unknown>, resources: CallRecord['resources']): Call {
    return { source: SOURCE, name, readOnly: true, requestParameters, resources, requestId: c.var.requestId };
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
    const rec = this.call(c, 'ListObjects', { bucketName: bucket, ...Object.fromEntries(q) }, [{ ResourceType: 'AWS::S3::Bucket', ResourceName: bucket }]);
    // S3 would answer ListObjects v1 here; the emulator serves v2 only and says so with a 4xx (never a 5xx).
    if (q.get('list-type') !== '2') {
      return this.refuse(c, rec, 'bad-request', 'InvalidArgument', 'Only ListObjectsV2 (list-type=2) is supported by the emulator.');
    }
    await this.api.delivery.catchUp();
    if (!this.ctx.state.buckets.some((b) => b.name === bucket)) return this.noSuchBucket(c, rec, bucket);
    const query = listQuery(q);
    if (typeof query === 'string') return this.refuse(c, rec, 'bad-request', 'InvalidArgument', query);
    const xml = listXml(bucket, query, listing(this.ctx.state.objects, bucket, query));
    this.calls.record(c, rec);
    return c.body(xml, 200, { 'content-type': 'application/xml' });
  }

  /** GetObject, or HeadObject when the raw method is HEAD (Hono answers HEAD with the GET route). */
  async getObject(c: Context<K2Env, '/:bucket/:key{[^]+}'>): Promise<Response> {
    const head = c.req.method === 'HEAD';
    const bucket = c.req.param('bucket');
    const key = c.req.param('key');
    const resources = [{ ResourceType: 'AWS::S3::Bucket', ResourceName: bucket }, { ResourceType: 'AWS::S3::Object', ResourceName: `${bucket}/${key}` }];
    const rec = this.call(c, head ? 'HeadObject' : 'GetObject', { bucketName: bucket, key }, resources);
    await this.api.delivery.catchUp();
    const s = this.ctx.state;
    if (!s.buckets.some((b) => b.name === bucket)) return this.noSuchBucket(c, rec, bucket);
    const obj = s.objects.find((o) => o.bucket === bucket && o.key === key);
    if (!obj) return this.refuse(c, rec, 'not-found', 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    this.calls.record(c, rec);
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
  }
}

/** Read-only, path-style S3 over the trail archives in `ctx.state`; every signed call is recorded. */
export function s3Routes(ctx: K2Context, world: K2World, api: K2Api, calls: CallLog): Hono<K2Env> {
  const app = new Hono<K2Env>();
  const enter = [arrive(ctx, 's3'), k2Auth('s3', { world, allowedRegions: ctx.settings.allowedRegions })] as const;
  const s3 = new S3Handlers(ctx, api, calls);
  // The AWS SDKs ask for `/{bucket}/`, the CLI for `/{bucket}`.
  app.get('/:bucket', ...enter, (c) => s3.listObjects(c));
  app.get('/:bucket/', ...enter, (c) => s3.listObjects(c));
  // `[^]` rather than `.`: an object key may contain CR or LF (found by the fuzzer).
  app.get('/:bucket/:key{[^]+}', ...enter, (c) => s3.getObject(c));
  return app;
}
