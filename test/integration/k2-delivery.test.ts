import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudTrailClient, CreateTrailCommand, GetTrailStatusCommand, StartLoggingCommand, StopLoggingCommand } from '@aws-sdk/client-cloudtrail';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { K2Client, K2Console } from '../../contracts/k2/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';
import { untar } from '../../servers/k2/delivery.js';
import { awsCli } from '../support/aws.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['k2'] });
const NOW = Date.parse(FROZEN_NOW);
const MIN = 60_000;
type Creds = { accessKeyId: string; secretAccessKey: string; region: string; customer: string };
const creds = () => env.get().providers.k2.credentials as Creds;
const base = () => env.get().providers.k2.baseUrl;
const sdkOpts = () => ({
  endpoint: base(),
  region: creds().region,
  credentials: { accessKeyId: creds().accessKeyId, secretAccessKey: creds().secretAccessKey },
  maxAttempts: 1,
});
const bucket = () => `${creds().customer}-activity-log`;

async function inject(records: object[]) {
  const r = await fetch(`${env.get().controlUrl}/_emulator/providers/k2/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(records),
  });
  expect(r.status).toBe(201);
}

const tmp = mkdtempSync(join(tmpdir(), 'k2-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The real AWS CLI with the manifest's credentials. */
const aws = (args: string[]) => awsCli(tmp, creds(), args);

describe('K2 trail delivery', () => {
  it('writes one tar.gz per 5-minute period of emulator time into the bucket, readable over S3', async () => {
    // One event in every period of the next hour, so each period has something to deliver.
    await inject(
      Array.from({ length: 12 }, (_, i) => ({
        eventTime: new Date(NOW + i * 5 * MIN + 90_000).toISOString(),
        eventName: 'RunInstances',
        project: 'web-prod',
        resources: [{ ResourceType: 'AWS::EC2::Instance', ResourceName: `i-0000000${i.toString(16).toUpperCase()}` }],
      })),
    );
    const ct = new CloudTrailClient(sdkOpts());
    await ct.send(new CreateTrailCommand({ Name: 'archive', S3BucketName: bucket(), S3KeyPrefix: 'k2' }));
    await ct.send(new StartLoggingCommand({ Name: 'archive' }));
    env.get().setClock({ advance: 'PT1H' });
    const s3 = new S3Client({ ...sdkOpts(), forcePathStyle: true });
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: 'k2/' }));
    const keys = list.Contents!.map((o) => o.Key!);
    expect(keys).toHaveLength(12);
    expect([...keys].sort()).toEqual(keys);
    const c = creds().customer;
    expect(keys[0]).toMatch(new RegExp(`^k2/AWSLogs/${c}/CloudTrail/ru-msk/2026/03/10/${c}_CloudTrail_ru-msk_20260310T1005Z_[A-Z0-9]{16}\\.tar\\.gz$`));
    expect(keys[11]).toContain('_20260310T1100Z_');
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: keys[3] }));
    expect(obj.ContentType).toBe('application/gzip');
    const files = await untar(await obj.Body!.transformToByteArray());
    expect(files).toHaveLength(1);
    expect(files[0].name).toBe(
      keys[3]
        .split('/')
        .pop()!
        .replace(/\.tar\.gz$/, '.json'),
    );
    const { Records } = JSON.parse(files[0].text) as { Records: Array<{ eventTime: string; eventName: string }> };
    expect(Records.length).toBeGreaterThan(0);
    const times = Records.map((r) => Date.parse(r.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const t of times) expect(t >= NOW + 15 * MIN && t < NOW + 20 * MIN).toBe(true);
    expect(Records.some((r) => r.eventName === 'RunInstances')).toBe(true);
    const status = await ct.send(new GetTrailStatusCommand({ Name: 'archive' }));
    expect(status.LatestDeliveryTime!.getTime()).toBe(NOW + 60 * MIN);
    expect(status.LatestDeliveryAttemptSucceeded).toBe('2026-03-10T11:00:00Z');
    expect(status.LatestDeliveryError).toBeUndefined();
    // Archives are stored: listing again changes nothing.
    const again = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: 'k2/', MaxKeys: 5 }));
    expect(again.Contents!.map((o) => o.Key)).toEqual(keys.slice(0, 5));
    expect(again.IsTruncated).toBe(true);
    const next = await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: 'k2/', ContinuationToken: again.NextContinuationToken }));
    expect(next.Contents!.map((o) => o.Key)).toEqual(keys.slice(5));
  });

  it('reports NoSuchBucket while the bucket is gone and catches up when it is back', async () => {
    const con = new K2Console(base(), creds().customer);
    expect((await con.deleteBucket(bucket())).status).toBe(204);
    await inject([{ eventTime: new Date(NOW + 62 * MIN).toISOString(), eventName: 'StopInstances' }]);
    env.get().setClock({ advance: 'PT5M' });
    const ct = new CloudTrailClient(sdkOpts());
    const failed = await ct.send(new GetTrailStatusCommand({ Name: 'archive' }));
    expect(failed.LatestDeliveryError).toBe('NoSuchBucket');
    expect(failed.LatestDeliveryAttemptTime).toBe('2026-03-10T11:05:00Z');
    expect((await con.createBucket(bucket())).status).toBe(201);
    const ok = await ct.send(new GetTrailStatusCommand({ Name: 'archive' }));
    expect(ok.LatestDeliveryError).toBeUndefined();
    const raw = await new K2Client({ baseUrl: base(), ...creds() }).s3('GET', `/${bucket()}`, { 'list-type': '2' });
    expect(raw.status).toBe(200);
    expect(await raw.text()).toContain('_20260310T1105Z_');
    const missing = await new K2Client({ baseUrl: base(), ...creds() }).s3('GET', `/${bucket()}/k2/nope.tar.gz`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
    // ListObjects v1 (no list-type) is served as well.
    const v1 = await new K2Client({ baseUrl: base(), ...creds() }).s3('GET', `/${bucket()}`);
    expect(v1.status).toBe(200);
    expect(await v1.text()).toMatch(/<Marker><\/Marker>.*_20260310T1105Z_/);
    const anon = await fetch(`${base()}/${bucket()}?list-type=2`);
    expect(anon.status).toBe(403);
  });

  it('works with the real AWS CLI: cloudtrail lookup-events, s3 ls and s3 cp', async () => {
    const { stdout } = await aws([
      'cloudtrail',
      'lookup-events',
      '--endpoint-url',
      base(),
      '--max-items',
      '3',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=GetTrailStatus',
      '--output',
      'json',
    ]);
    const out = JSON.parse(stdout) as { Events: Array<{ EventName: string; CloudTrailEvent: string }>; NextToken?: string };
    expect(out.Events.length).toBeGreaterThan(0);
    expect(out.Events.every((e) => e.EventName === 'GetTrailStatus')).toBe(true);
    const ls = await aws(['s3', 'ls', `s3://${bucket()}/`, '--recursive', '--endpoint-url', base()]);
    // Deleting the bucket removed the first hour's archives; the catch-up one is left.
    const lines = ls.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('_20260310T1105Z_');
    const key = lines[0].trim().split(/\s+/).pop()!;
    await aws(['s3', 'cp', `s3://${bucket()}/${key}`, join(tmp, 'archive.tar.gz'), '--endpoint-url', base()]);
    const files = await untar(readFileSync(join(tmp, 'archive.tar.gz')));
    expect(JSON.parse(files[0].text).Records.length).toBeGreaterThan(0);
    expect(readdirSync(tmp)).toContain('archive.tar.gz');
    // The CLI's own calls were recorded too.
    const seen = await new K2Client({ baseUrl: base(), ...creds() }).lookupEvents({
      LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }],
      MaxResults: 50,
    });
    expect(seen.ok && seen.body.Events.map((e) => e.EventName)).toEqual(expect.arrayContaining(['ListObjects', 'HeadObject', 'GetObject']));
  });

  it('after StopLogging, delivers what it logged before the stop at the next boundary, and nothing after', async () => {
    const PERIOD = 5 * MIN;
    const p0 = Math.ceil(env.get().clock.now() / PERIOD) * PERIOD;
    env.get().setClock({ set: new Date(p0 + MIN).toISOString() });
    const ct = new CloudTrailClient(sdkOpts());
    await ct.send(new CreateTrailCommand({ Name: 'stopper', S3BucketName: bucket(), S3KeyPrefix: 'stopper' }));
    await ct.send(new StartLoggingCommand({ Name: 'stopper' }));
    const at = (ms: number, name: string) => ({
      eventTime: new Date(ms).toISOString(),
      eventName: 'RunInstances',
      project: 'web-prod',
      resources: [{ ResourceType: 'AWS::EC2::Instance', ResourceName: name }],
    });
    await inject([at(p0 + 2 * MIN, 'i-before-stop'), at(p0 + 4 * MIN, 'i-after-stop'), at(p0 + 7 * MIN, 'i-next-period')]);
    env.get().setClock({ set: new Date(p0 + 3 * MIN).toISOString() });
    await ct.send(new StopLoggingCommand({ Name: 'stopper' }));
    const s3 = new S3Client({ ...sdkOpts(), forcePathStyle: true });
    const keys = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: 'stopper/' }))).Contents ?? []).map((o) => o.Key!);
    expect(await keys()).toEqual([]);

    env.get().setClock({ set: new Date(p0 + 16 * MIN).toISOString() });
    await ct.send(new GetTrailStatusCommand({ Name: 'stopper' }));
    const delivered = await keys();
    expect(delivered).toHaveLength(1);
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: delivered[0] }));
    const [file] = await untar(await obj.Body!.transformToByteArray());
    const records = JSON.parse(file.text).Records as Array<{ eventName: string; eventTime: string }>;
    const times = records.map((r) => Date.parse(r.eventTime));
    expect(times).toContain(p0 + 2 * MIN);
    expect(times).not.toContain(p0 + 4 * MIN);
    expect(times).not.toContain(p0 + 7 * MIN);
    expect(records.map((r) => r.eventName)).toEqual(expect.arrayContaining(['StartLogging', 'StopLogging']));
    expect(records.every((r) => Date.parse(r.eventTime) <= p0 + 3 * MIN)).toBe(true);
  });
});
