// Trail delivery at the edges of logging, and the S3 surface around the archives: what boto3, the
// AWS CLI and `c2-ct` found wrong (issue 15): the StartLogging/StopLogging second, ListBuckets,
// presigned GETs, S3 requests the emulator does not serve, and archives that held memory.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ListBucketsCommand, ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, describe, expect, it } from 'vitest';
import { K2Client } from '../../contracts/k2/client.js';
import type { K2State } from '../../servers/k2/state.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';
import { untar } from '../../servers/k2/delivery.js';
import { awsCli } from '../support/aws.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['k2'] });
const MIN = 60_000;
const PERIOD = 5 * MIN;
type Creds = { accessKeyId: string; secretAccessKey: string; region: string; customer: string };
const creds = () => env.get().providers.k2.credentials as Creds;
const base = () => env.get().providers.k2.baseUrl;
const bucket = () => `${creds().customer}-activity-log`;
const k2 = () => new K2Client({ baseUrl: base(), ...creds() });
const state = () => env.get().runtimes.get('k2')!.ctx.state as K2State;
const s3 = () =>
  new S3Client({
    endpoint: base(),
    region: creds().region,
    credentials: { accessKeyId: creds().accessKeyId, secretAccessKey: creds().secretAccessKey },
    forcePathStyle: true,
    maxAttempts: 1,
  });

async function keys(prefix: string): Promise<string[]> {
  const r = await k2().s3('GET', `/${bucket()}`, { 'list-type': '2', prefix });
  return [...(await r.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
}

async function call(op: string, input: object): Promise<string> {
  const r = await k2().raw(op, JSON.stringify(input), { targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101' });
  expect(r.status, `${op} ${JSON.stringify(r.body)}`).toBe(200);
  return r.response.headers.get('x-amzn-requestid')!;
}

const tmp = mkdtempSync(join(tmpdir(), 'k2-archives-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The real AWS CLI against this emulator. */
const aws = (args: string[]) => awsCli(tmp, creds(), [...args, '--endpoint-url', base()]);

describe('K2 delivery decides by the instant of the StartLogging and StopLogging calls', () => {
  it('delivers the StartLogging call and what follows it in its second, the StopLogging call, and nothing after it', async () => {
    // Mid-second instants: events carry whole seconds, the trail's start and stop carry milliseconds.
    const p0 = Math.ceil(env.get().clock.now() / PERIOD) * PERIOD + PERIOD;
    env.get().setClock({ set: new Date(p0 + MIN + 500).toISOString() });
    const created = await call('CreateTrail', { Name: 'edge', S3BucketName: bucket(), S3KeyPrefix: 'edge' });
    const started = await call('StartLogging', { Name: 'edge' });
    const afterStart = await call('ListTrails', {});
    env.get().setClock({ set: new Date(p0 + 2 * MIN + 500).toISOString() });
    const beforeStop = await call('DescribeTrails', {});
    const stopped = await call('StopLogging', { Name: 'edge' });
    const afterStop = await call('ListTrails', {});
    env.get().setClock({ set: new Date(p0 + 10 * MIN).toISOString() });
    await call('GetTrailStatus', { Name: 'edge' });
    const delivered = await keys('edge/');
    expect(delivered).toHaveLength(1);
    const [file] = await untar(new Uint8Array(await (await k2().s3('GET', `/${bucket()}/${delivered[0]}`)).arrayBuffer()));
    const ids = (JSON.parse(file.text).Records as Array<{ requestID: string; eventTime: string }>).map((r) => r.requestID);
    expect(ids).toEqual(expect.arrayContaining([started, afterStart, beforeStop, stopped]));
    expect(ids).not.toContain(created);
    expect(ids).not.toContain(afterStop);
  });
});

describe('K2 S3 beyond the archives answers as S3 does', () => {
  it("lists the customer's buckets on GET / (ListBuckets), for the SDK and `aws s3 ls`", async () => {
    const r = await k2().s3('GET', '/');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/xml');
    const xml = await r.text();
    expect(xml).toContain('<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    const listed = await s3().send(new ListBucketsCommand({}));
    expect(listed.Buckets!.map((b) => b.Name)).toEqual([bucket(), `${creds().customer}-backups`].sort());
    expect(listed.Buckets![0].CreationDate).toBeInstanceOf(Date);
    const { stdout } = await aws(['s3', 'ls']);
    expect(stdout).toContain(bucket());
  });

  it('serves presigned GETs (query-string SigV4) and refuses tampered or expired ones in S3 XML', async () => {
    const key = (await keys('edge/'))[0];
    const direct = Buffer.from(await (await k2().s3('GET', `/${bucket()}/${key}`)).arrayBuffer());
    const { stdout } = await aws(['s3', 'presign', `s3://${bucket()}/${key}`, '--expires-in', '600']);
    const url = stdout.trim();
    expect(url).toMatch(
      /X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=.+&X-Amz-Date=\d{8}T\d{6}Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=[0-9a-f]{64}$/,
    );
    const got = await fetch(url);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(direct)).toBe(true);
    const tampered = await fetch(url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    // Signed by the JS signer as the S3 presigner does, but an hour ago for ten minutes.
    const u = new URL(base());
    const signer = new SignatureV4({ service: 's3', region: creds().region, credentials: creds(), sha256: Sha256, uriEscapePath: false });
    const old = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: u.hostname,
        port: Number(u.port),
        path: `/${bucket()}/${key}`,
        headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        query: {},
      },
      {
        expiresIn: 600,
        signingDate: new Date(Date.now() - 3600_000),
        unhoistableHeaders: new Set(['x-amz-content-sha256']),
        unsignableHeaders: new Set(['x-amz-content-sha256']),
      },
    );
    const expired = await fetch(`${base()}/${bucket()}/${key}?${new URLSearchParams(old.query as Record<string, string>)}`);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    const fresh = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: u.hostname,
        port: Number(u.port),
        path: `/${bucket()}/${key}`,
        headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
        query: {},
      },
      { expiresIn: 600, unhoistableHeaders: new Set(['x-amz-content-sha256']), unsignableHeaders: new Set(['x-amz-content-sha256']) },
    );
    expect((await fetch(`${base()}/${bucket()}/${key}?${new URLSearchParams(fresh.query as Record<string, string>)}`)).status).toBe(200);
  });

  it("answers S3 operations it does not serve with S3's XML NotImplemented, never CloudTrail JSON", async () => {
    const signed = async (method: string, path: string, query: Record<string, string> = {}) => {
      const u = new URL(base());
      const signer = new SignatureV4({ service: 's3', region: creds().region, credentials: creds(), sha256: Sha256, uriEscapePath: false });
      const req = await signer.sign({
        method,
        protocol: 'http:',
        hostname: u.hostname,
        port: Number(u.port),
        path,
        query,
        headers: { host: u.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      });
      const h = { ...(req.headers as Record<string, string>) };
      delete h.host;
      const qs = new URLSearchParams(query).toString();
      return fetch(`${base()}${path}${qs ? `?${qs}` : ''}`, { method, headers: h, body: method === 'PUT' ? '' : undefined });
    };
    for (const [method, path, query] of [
      ['PUT', `/${bucket()}/new-object.txt`, {}],
      ['DELETE', `/${bucket()}/edge/x.tar.gz`, {}],
      ['PUT', '/another-bucket', {}],
      ['DELETE', `/${bucket()}`, {}],
      ['POST', `/${bucket()}`, { delete: '' }],
      ['GET', `/${bucket()}`, { acl: '' }],
      ['GET', `/${bucket()}`, { location: '' }],
    ] as Array<[string, string, Record<string, string>]>) {
      const r = await signed(method, path, query);
      expect(r.status, `${method} ${path}`).toBe(501);
      expect(r.headers.get('content-type')).toBe('application/xml');
      expect(await r.text()).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NotImplemented<\/Code>/);
    }
    const anon = await fetch(`${base()}/${bucket()}/new-object.txt`, { method: 'PUT', body: 'x' });
    expect(anon.status).toBe(501);
    expect(await anon.text()).toContain('<Code>NotImplemented</Code>');
    const odd = await fetch(`${base()}/${bucket()}`, { method: 'PATCH' });
    expect(odd.status).toBe(405);
    expect(await odd.text()).toContain('<Code>MethodNotAllowed</Code>');
    // ListObjects v1 (no list-type) is served too.
    const v1 = await s3().send(new ListObjectsCommand({ Bucket: bucket(), Prefix: 'edge/', MaxKeys: 10 }));
    expect(v1.Contents!.map((o) => o.Key)).toEqual(await keys('edge/'));
    expect(v1.IsTruncated).toBe(false);
  });
});

describe('K2 archives are held compactly and rendered again identically', () => {
  it('re-renders an archive byte for byte on every GET, matching its ETag and size', async () => {
    const key = (await keys('edge/'))[0];
    const a = Buffer.from(await (await k2().s3('GET', `/${bucket()}/${key}`)).arrayBuffer());
    const second = await k2().s3('GET', `/${bucket()}/${key}`);
    const b = Buffer.from(await second.arrayBuffer());
    expect(b.equals(a)).toBe(true);
    expect(second.headers.get('etag')).toBe(`"${createHash('md5').update(a).digest('hex')}"`);
    expect(Number(second.headers.get('content-length'))).toBe(a.length);
    const head = await k2().s3('HEAD', `/${bucket()}/${key}`);
    expect(head.headers.get('etag')).toBe(second.headers.get('etag'));
    // An archive from a state file written before archives were held compactly keeps its bytes.
    const legacy = {
      bucket: bucket(),
      key: 'legacy/old.tar.gz',
      size: 3,
      etag: 'e',
      lastModified: 0,
      from: 0,
      to: 0,
      body: Buffer.from('old').toString('base64'),
    };
    state().objects.push(legacy);
    expect(await (await k2().s3('GET', `/${bucket()}/legacy/old.tar.gz`)).text()).toBe('old');
    state().objects = state().objects.filter((o) => o !== legacy);
  });

  it('a year of delivery with one logging trail holds a few hundred bytes per archive (bench-style, not timed)', async () => {
    const edgeKey = (await keys('edge/'))[0];
    const edgeBytes = Buffer.from(await (await k2().s3('GET', `/${bucket()}/${edgeKey}`)).arrayBuffer());
    await call('CreateTrail', { Name: 'yearly', S3BucketName: bucket(), S3KeyPrefix: 'yearly' });
    await call('StartLogging', { Name: 'yearly' });
    env.get().setClock({ advance: 'P365D' });
    await call('GetTrailStatus', { Name: 'yearly' });
    // Long past retention, its events gone from the store, an archive still reads the same.
    env.get().runtimes.get('k2')!.ctx.store.prune();
    const edgeAgain = Buffer.from(await (await k2().s3('GET', `/${bucket()}/${edgeKey}`)).arrayBuffer());
    expect(edgeAgain.equals(edgeBytes)).toBe(true);
    const objects = state().objects.filter((o) => o.key.startsWith('yearly/'));
    // One archive per 5-minute period with events inside the 30-day retention.
    expect(objects.length).toBeGreaterThan(3000);
    const perArchive = Buffer.byteLength(JSON.stringify(objects)) / objects.length;
    console.log(
      `k2 archives: ${objects.length} delivered, ${perArchive.toFixed(0)} bytes of state each, ${objects.reduce((s, o) => s + o.size, 0)} bytes served in all`,
    );
    expect(perArchive).toBeLessThan(600);
    const last = objects[objects.length - 1];
    const got = await k2().s3('GET', `/${bucket()}/${last.key}`);
    expect(got.status).toBe(200);
    const bytes = Buffer.from(await got.arrayBuffer());
    expect(bytes.length).toBe(last.size);
    expect(JSON.parse((await untar(bytes))[0].text).Records.length).toBeGreaterThan(0);
  }, 120_000);
});
