import { describe, expect, it } from 'vitest';
import { K2Client, K2Console } from '../../contracts/k2/client.js';
import { checkFetchResponse } from '../../contracts/validator.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const SPEC = 'openapi/k2-cloudtrail.yaml';
const env = useEmulator({ now: FROZEN_NOW, only: ['k2'] });
type Creds = { accessKeyId: string; secretAccessKey: string; region: string; customer: string };

describe('K2 contract: every operation and error conforms to openapi/k2-cloudtrail.yaml', () => {
  it('CloudTrail outputs and errors', async () => {
    const c = env.get().providers.k2.credentials as Creds;
    const k = new K2Client({ baseUrl: env.get().providers.k2.baseUrl, ...c });
    const bucket = `${c.customer}-activity-log`;
    const calls: Array<[string, unknown, number]> = [
      ['LookupEvents', { MaxResults: 3 }, 200],
      ['CreateTrail', { Name: 'contract', S3BucketName: bucket, SnsTopicName: 't', KmsKeyId: 'k' }, 200],
      ['UpdateTrail', { Name: 'contract', S3BucketName: bucket }, 200],
      ['UpdateTrail', { Name: 'contract', S3KeyPrefix: 'p' }, 400],
      ['GetEventSelectors', { Name: 'contract' }, 200],
      ['PutEventSelectors', { Name: 'contract', EventSelectors: [{ ReadWriteType: 'ReadOnly' }] }, 200],
      ['PutEventSelectors', { TrailName: 'contract', AdvancedEventSelectors: [{ FieldSelectors: [{ Field: 'readOnly', Equals: ['true'] }] }] }, 200],
      ['GetInsightSelectors', { TrailName: 'contract' }, 400],
      ['PutInsightSelectors', { TrailName: 'contract', InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] }, 200],
      ['GetInsightSelectors', { TrailName: 'contract' }, 200],
      ['AddTags', { ResourceId: `arn:aws:cloudtrail:ru-msk:${c.customer}:trail/contract`, TagsList: [{ Key: 'k', Value: 'v' }] }, 200],
      ['ListTags', { ResourceIdList: [`arn:aws:cloudtrail:ru-msk:${c.customer}:trail/contract`] }, 200],
      ['RemoveTags', { ResourceId: `arn:aws:cloudtrail:ru-msk:${c.customer}:trail/contract`, TagsList: [{ Key: 'k' }] }, 200],
      ['AddTags', { ResourceId: 'contract' }, 400],
      ['ListPublicKeys', {}, 200],
      ['GetTrail', { Name: 'contract' }, 200],
      ['DescribeTrails', {}, 200],
      ['ListTrails', {}, 200],
      ['StartLogging', { Name: 'contract' }, 200],
      ['GetTrailStatus', { Name: 'contract' }, 200],
      ['StopLogging', { Name: 'contract' }, 200],
      ['DeleteTrail', { Name: 'contract' }, 200],
      ['GetTrail', { Name: 'contract' }, 400],
      ['LookupEvents', { MaxResults: 0 }, 400],
      ['PutEventSelectors', {}, 400],
      ['StartQuery', {}, 400],
    ];
    for (const [op, input, status] of calls) {
      const r = await k.raw(op, JSON.stringify(input));
      expect(r.status, op).toBe(status);
      const check = await checkFetchResponse(SPEC, 'POST', r.response.url, r.response);
      expect(check.errors, op).toEqual([]);
    }
  });

  it('S3 and console responses, and unknown routes', async () => {
    const c = env.get().providers.k2.credentials as Creds;
    const url = env.get().providers.k2.baseUrl;
    const k = new K2Client({ baseUrl: url, ...c });
    const con = new K2Console(url, c.customer);
    const responses: Array<[string, string, Response]> = [
      ['GET', `${url}/${c.customer}-activity-log?list-type=2`, await k.s3('GET', `/${c.customer}-activity-log`, { 'list-type': '2' })],
      ['GET', `${url}/nope-bucket/a/b`, await k.s3('GET', '/nope-bucket/a/b')],
      ['GET', `${url}/_console/k2/customers/${c.customer}/buckets`, await fetch(`${url}/_console/k2/customers/${c.customer}/buckets`)],
      ['PUT', `${url}/nowhere`, await fetch(`${url}/nowhere`, { method: 'PUT' })],
      ['GET', `${url}/`, await k.s3('GET', '/')],
      ['GET', `${url}/${c.customer}-activity-log`, await k.s3('GET', `/${c.customer}-activity-log`)],
      ['DELETE', `${url}/${c.customer}-activity-log/a/b`, await fetch(`${url}/${c.customer}-activity-log/a/b`, { method: 'DELETE' })],
      ['PATCH', `${url}/${c.customer}-activity-log`, await fetch(`${url}/${c.customer}-activity-log`, { method: 'PATCH' })],
    ];
    for (const [method, u, res] of responses) {
      const check = await checkFetchResponse(SPEC, method, u, res);
      expect(check.errors, `${method} ${u}`).toEqual([]);
    }
    expect((await con.subscription()).body).toEqual({ active: true });
  });
});
