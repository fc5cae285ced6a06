// Every operation of K2's own service model (C2Devel/botocore 1.20.14-ROCKIT67), sent as K2's CLI
// `c2-ct` sends it: the long X-Amz-Target, SigV4 scoped to region `croc` whatever the host, integer
// epoch seconds, `{"Name": ...}` for the event selectors. And the switches for AWS's shapes.
import { request } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { CloudTrailClient, GetEventSelectorsCommand, PutEventSelectorsCommand, UpdateTrailCommand } from '@aws-sdk/client-cloudtrail';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { K2Client, type ErrorBody } from '../../contracts/k2/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const LONG = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';
const NOW_S = Date.parse(FROZEN_NOW) / 1000;
type Creds = { accessKeyId: string; secretAccessKey: string; region: string; customer: string; project: string };
type Emu = ReturnType<typeof useEmulator>;
const creds = (e: Emu) => e.get().providers.k2.credentials as Creds;

/** A client that signs and targets as `c2-ct` does. */
function c2ct(e: Emu) {
  const k = new K2Client({ baseUrl: e.get().providers.k2.baseUrl, ...creds(e), region: 'croc' });
  return async (op: string, input: object = {}) => {
    const r = await k.raw(op, JSON.stringify(input), { targetPrefix: LONG });
    return { status: r.status, body: r.body as Record<string, any>, requestId: r.response.headers.get('x-amzn-requestid') };
  };
}

const sdk = (e: Emu) => new CloudTrailClient({ endpoint: e.get().providers.k2.baseUrl, region: 'croc', credentials: creds(e), maxAttempts: 1 });

describe('K2 model operations, as c2-ct sends them', () => {
  const env = useEmulator({ now: FROZEN_NOW, only: ['k2'] });
  const arn = (name: string) => `arn:aws:cloudtrail:ru-msk:${creds(env).customer}:trail/${name}`;

  it('answers all 18 operations with their K2 shapes and records each call', async () => {
    const ct = c2ct(env);
    const bucket = `${creds(env).customer}-activity-log`;
    const backups = `${creds(env).customer}-backups`;
    const ok = async (op: string, input: object = {}) => {
      const r = await ct(op, input);
      expect(r.status, `${op}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    };
    expect(await ok('CreateTrail', { Name: 'trail1', S3BucketName: bucket, TagsList: [{ Key: 'team', Value: 'sec' }] })).toMatchObject({
      Name: 'trail1',
      TrailARN: arn('trail1'),
    });
    expect((await ok('DescribeTrails', {})).trailList.map((t: { Name: string }) => t.Name)).toEqual(['trail1']);
    expect((await ok('GetTrail', { Name: 'trail1' })).Trail).toMatchObject({ HasCustomEventSelectors: false, HasInsightSelectors: false });
    expect((await ok('ListTrails')).Trails).toEqual([{ TrailARN: arn('trail1'), Name: 'trail1', HomeRegion: 'ru-msk' }]);
    expect(await ok('StartLogging', { Name: 'trail1' })).toEqual({});
    expect((await ok('GetTrailStatus', { Name: 'trail1' })).IsLogging).toBe(true);
    expect(await ok('StopLogging', { Name: 'trail1' })).toEqual({});
    // UpdateTrail changes the bucket only: K2's "only changeable parameter".
    expect(await ok('UpdateTrail', { Name: 'trail1', S3BucketName: backups, S3KeyPrefix: 'ignored', EnableLogFileValidation: true })).toMatchObject({
      S3BucketName: backups,
      LogFileValidationEnabled: false,
    });
    expect((await ok('GetTrail', { Name: 'trail1' })).Trail.S3KeyPrefix).toBeUndefined();
    expect(await ok('GetEventSelectors', { Name: 'trail1' })).toEqual({
      Name: 'trail1',
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }],
    });
    const put = await ok('PutEventSelectors', { Name: 'trail1', EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] });
    expect(put).toEqual({ Name: 'trail1', EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [] }] });
    expect(await ok('GetEventSelectors', { Name: 'trail1' })).toEqual(put);
    expect((await ok('GetTrail', { Name: 'trail1' })).Trail.HasCustomEventSelectors).toBe(true);
    expect((await ct('GetInsightSelectors', { TrailName: 'trail1' })).body.__type).toBe('InsightNotEnabledException');
    const insights = { TrailARN: arn('trail1'), InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] };
    expect(await ok('PutInsightSelectors', { TrailName: 'trail1', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })).toEqual(insights);
    expect(await ok('GetInsightSelectors', { TrailName: 'trail1' })).toEqual(insights);
    expect((await ok('GetTrail', { Name: 'trail1' })).Trail.HasInsightSelectors).toBe(true);
    expect(await ok('AddTags', { ResourceId: arn('trail1'), TagsList: [{ Key: 'env', Value: 'prod' }, { Key: 'flag' }] })).toEqual({});
    expect(await ok('ListTags', { ResourceIdList: [arn('trail1')] })).toEqual({
      ResourceTagList: [{ ResourceId: arn('trail1'), TagsList: [{ Key: 'team', Value: 'sec' }, { Key: 'env', Value: 'prod' }, { Key: 'flag' }] }],
    });
    expect(await ok('RemoveTags', { ResourceId: arn('trail1'), TagsList: [{ Key: 'team' }, { Key: 'flag' }] })).toEqual({});
    expect((await ok('ListTags', { ResourceIdList: [arn('trail1')] })).ResourceTagList[0].TagsList).toEqual([{ Key: 'env', Value: 'prod' }]);
    expect(await ok('ListPublicKeys', { StartTime: NOW_S - 86400, EndTime: NOW_S })).toEqual({ PublicKeyList: [] });
    const events = await ok('LookupEvents', {
      StartTime: NOW_S - 3600,
      EndTime: NOW_S,
      MaxResults: 50,
      LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'cloudtrail.amazonaws.com' }],
    });
    expect(await ok('DeleteTrail', { Name: 'trail1' })).toEqual({});
    // K2's Event: EventId (the model's spelling, not EventID) and Project.
    for (const e of events.Events) {
      expect(Object.keys(e)).toContain('EventId');
      expect(Object.keys(e)).not.toContain('EventID');
      expect(e.Project).toBe(creds(env).project);
    }
    const names = new Set(events.Events.map((e: { EventName: string }) => e.EventName));
    for (const op of [
      'CreateTrail',
      'UpdateTrail',
      'PutEventSelectors',
      'GetInsightSelectors',
      'PutInsightSelectors',
      'AddTags',
      'RemoveTags',
      'ListTags',
      'ListPublicKeys',
    ]) {
      expect(names.has(op), op).toBe(true);
    }
  });

  it("checks each new operation's input with the model's exceptions", async () => {
    const ct = c2ct(env);
    const bucket = `${creds(env).customer}-activity-log`;
    expect((await ct('CreateTrail', { Name: 'trail2', S3BucketName: bucket })).status).toBe(200);
    const refusals: Array<[string, object, string]> = [
      ['UpdateTrail', { Name: 'trail2', S3KeyPrefix: 'x' }, 'InvalidParameterException'],
      ['UpdateTrail', { Name: 'nope-trail', S3BucketName: bucket }, 'TrailNotFoundException'],
      ['GetEventSelectors', {}, 'InvalidTrailNameException'],
      ['GetEventSelectors', { Name: 'arn:aws:cloudtrail:ru-msk' }, 'InvalidTrailNameException'],
      ['PutEventSelectors', { Name: 'trail2' }, 'InvalidEventSelectorsException'],
      ['PutEventSelectors', { Name: 'trail2', EventSelectors: [], AdvancedEventSelectors: [] }, 'InvalidEventSelectorsException'],
      ['PutEventSelectors', { Name: 'trail2', EventSelectors: Array.from({ length: 6 }, () => ({})) }, 'InvalidEventSelectorsException'],
      ['PutEventSelectors', { Name: 'trail2', EventSelectors: [{ ReadWriteType: 'Sometimes' }] }, 'InvalidEventSelectorsException'],
      [
        'PutEventSelectors',
        { Name: 'trail2', AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'colour', Equals: ['red'] }] }] },
        'InvalidEventSelectorsException',
      ],
      ['PutEventSelectors', { Name: 'missing', EventSelectors: [] }, 'TrailNotFoundException'],
      ['GetInsightSelectors', { Name: 'trail2' }, 'InvalidTrailNameException'],
      ['PutInsightSelectors', { TrailName: 'trail2', InsightSelectors: [{ InsightType: 'ApiErrorRateInsight' }] }, 'InvalidInsightSelectorsException'],
      ['PutInsightSelectors', { TrailName: 'trail2' }, 'InvalidInsightSelectorsException'],
      ['AddTags', { ResourceId: 'trail2', TagsList: [{ Key: 'a' }] }, 'CloudTrailARNInvalidException'],
      ['AddTags', { ResourceId: arn('other'), TagsList: [{ Key: 'a' }] }, 'ResourceNotFoundException'],
      ['AddTags', { ResourceId: arn('trail2').replace(':trail/', ':eventdatastore/'), TagsList: [] }, 'ResourceTypeNotSupportedException'],
      ['AddTags', { ResourceId: arn('trail2'), TagsList: [{ Key: 'a' }, { Key: 'a', Value: 'b' }] }, 'InvalidTagParameterException'],
      ['AddTags', { ResourceId: arn('trail2'), TagsList: [{ Key: '' }] }, 'InvalidTagParameterException'],
      ['AddTags', { ResourceId: arn('trail2'), TagsList: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}` })) }, 'TagsLimitExceededException'],
      ['RemoveTags', { ResourceId: 'arn:aws:s3:::bucket', TagsList: [] }, 'CloudTrailARNInvalidException'],
      ['ListTags', { ResourceIdList: [arn('trail2')], NextToken: 'x' }, 'InvalidTokenException'],
      ['ListTags', { ResourceIdList: [arn('gone')] }, 'ResourceNotFoundException'],
      ['ListPublicKeys', { StartTime: NOW_S, EndTime: NOW_S - 60 }, 'InvalidTimeRangeException'],
      ['ListPublicKeys', { NextToken: 'x' }, 'InvalidTokenException'],
      ['PutEventSelectors', { Name: 'trail2', EventSelectors: 'all' }, 'SerializationException'],
      ['AddTags', { ResourceId: arn('trail2'), TagsList: [{ Key: 5 }] }, 'SerializationException'],
    ];
    for (const [op, input, type] of refusals) {
      const r = await ct(op, input);
      expect(r.status, `${op} ${JSON.stringify(input)}`).toBe(400);
      expect((r.body as ErrorBody).__type, `${op} ${JSON.stringify(input)}: ${(r.body as ErrorBody).message}`).toBe(type);
    }
    expect((await ct('UpdateTrail', { Name: 'trail2', S3KeyPrefix: 'x' })).body.message).toBe('S3BucketName is required');
    // AWS's TrailName spelling is taken too; the answer keeps K2's Name.
    expect((await ct('GetEventSelectors', { TrailName: 'trail2' })).body).toMatchObject({ Name: 'trail2' });
    // Advanced selectors replace the basic ones, and the other way round.
    const advanced = [
      {
        Name: 'writes',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Management'] },
          { Field: 'readOnly', Equals: ['false'] },
        ],
      },
    ];
    expect((await ct('PutEventSelectors', { Name: 'trail2', AdvancedEventSelectors: advanced })).body).toEqual({
      Name: 'trail2',
      AdvancedEventSelectors: advanced,
    });
    expect((await ct('GetEventSelectors', { Name: arn('trail2') })).body).toEqual({ Name: 'trail2', AdvancedEventSelectors: advanced });
    // An empty list turns Insights off again.
    expect((await ct('PutInsightSelectors', { TrailName: 'trail2', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] })).status).toBe(200);
    expect((await ct('PutInsightSelectors', { TrailName: 'trail2', InsightSelectors: [] })).body.InsightSelectors).toEqual([]);
    expect((await ct('GetInsightSelectors', { TrailName: 'trail2' })).body.__type).toBe('InsightNotEnabledException');
    expect((await ct('DeleteTrail', { Name: 'trail2' })).status).toBe(200);
  });

  it("takes the AWS SDK's own spelling (TrailName) and answers K2's (Name, which the SDK drops)", async () => {
    const bucket = `${creds(env).customer}-activity-log`;
    expect((await c2ct(env)('CreateTrail', { Name: 'trail3', S3BucketName: bucket })).status).toBe(200);
    const put = await sdk(env).send(new PutEventSelectorsCommand({ TrailName: 'trail3', EventSelectors: [{ ReadWriteType: 'ReadOnly' }] }));
    expect(put.EventSelectors).toEqual([{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [] }]);
    expect(put.TrailARN).toBeUndefined();
    const got = await sdk(env).send(new GetEventSelectorsCommand({ TrailName: 'trail3' }));
    expect(got.EventSelectors![0].ReadWriteType).toBe('ReadOnly');
    // The SDK validates nothing: an UpdateTrail without the bucket reaches the server, which refuses it.
    await expect(sdk(env).send(new UpdateTrailCommand({ Name: 'trail3', S3KeyPrefix: 'x' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    expect((await c2ct(env)('DeleteTrail', { Name: 'trail3' })).status).toBe(200);
  });

  it('accepts the scope region croc (or any) whatever the host: K2 names cloudtrail.ru-msk.k2.cloud and cloudtrail.ru-spb.k2.cloud', async () => {
    const base = new URL(env.get().providers.k2.baseUrl);
    const send = async (host: string, region: string) => {
      const body = JSON.stringify({ MaxResults: 1 });
      const signer = new SignatureV4({ service: 'cloudtrail', region, credentials: creds(env), sha256: Sha256 });
      const signed = await signer.sign({
        method: 'POST',
        protocol: 'https:',
        hostname: host,
        path: '/',
        body,
        headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${LONG}.LookupEvents` },
      });
      return new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: base.hostname, port: base.port, method: 'POST', path: '/', headers: signed.headers }, (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    };
    for (const [host, region] of [
      ['cloudtrail.ru-msk.k2.cloud', 'croc'],
      ['cloudtrail.ru-spb.k2.cloud', 'croc'],
      ['cloudtrail.ru-msk.k2.cloud', 'ru-spb'],
      ['cloudtrail.ru-spb.k2.cloud', 'ru-msk'],
    ]) {
      const r = await send(host, region);
      expect(r.status, `${host} ${region}: ${r.body}`).toBe(200);
      expect(JSON.parse(r.body).Events).toHaveLength(1);
    }
    // The host is part of the signature all the same.
    const signer = new SignatureV4({ service: 'cloudtrail', region: 'croc', credentials: creds(env), sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname: 'cloudtrail.ru-msk.k2.cloud',
      path: '/',
      body: '{}',
      headers: { host: 'cloudtrail.ru-msk.k2.cloud', 'x-amz-target': `${LONG}.ListTrails` },
    });
    const h = { ...(signed.headers as Record<string, string>) };
    delete h.host;
    const r = await fetch(`${env.get().providers.k2.baseUrl}/`, { method: 'POST', headers: h, body: '{}' });
    expect(((await r.json()) as ErrorBody).__type).toBe('InvalidSignatureException');
  });
});

describe("K2 switches for AWS's shapes: k2.eventSelectorsStyle=aws, k2.updateTrailStyle=aws, k2.maxResultsLimit=1000", () => {
  const env = useEmulator({ now: FROZEN_NOW, only: ['k2'], config: { k2: { eventSelectorsStyle: 'aws', updateTrailStyle: 'aws', maxResultsLimit: 1000 } } });

  it('answers TrailARN for the event selectors and takes every UpdateTrail member', async () => {
    const ct = c2ct(env);
    const bucket = `${creds(env).customer}-activity-log`;
    expect((await ct('CreateTrail', { Name: 'aws1', S3BucketName: bucket })).status).toBe(200);
    const arn = `arn:aws:cloudtrail:ru-msk:${creds(env).customer}:trail/aws1`;
    expect((await ct('GetEventSelectors', { Name: 'aws1' })).body).toEqual({
      TrailARN: arn,
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }],
    });
    const put = await sdk(env).send(
      new PutEventSelectorsCommand({ TrailName: 'aws1', EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: false }] }),
    );
    expect(put.TrailARN).toBe(arn);
    expect((await sdk(env).send(new GetEventSelectorsCommand({ TrailName: arn }))).EventSelectors![0]).toMatchObject({
      ReadWriteType: 'WriteOnly',
      IncludeManagementEvents: false,
    });
    const updated = await sdk(env).send(new UpdateTrailCommand({ Name: 'aws1', S3KeyPrefix: 'p', EnableLogFileValidation: true }));
    expect(updated).toMatchObject({ S3KeyPrefix: 'p', LogFileValidationEnabled: true, S3BucketName: bucket });
  });

  it('takes MaxResults up to 1000, as older CROC docs said', async () => {
    const ct = c2ct(env);
    const r = await ct('LookupEvents', { MaxResults: 1000, StartTime: NOW_S - 7 * 86400, EndTime: NOW_S });
    expect(r.status).toBe(200);
    expect(r.body.Events.length).toBe(1000);
    expect((await ct('LookupEvents', { MaxResults: 1001 })).body).toEqual({
      __type: 'InvalidMaxResultsException',
      message: 'MaxResults must be between 1 and 1000.',
    });
  });
});
