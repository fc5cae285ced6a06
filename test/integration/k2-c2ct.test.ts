// K2's own client, as near as this machine allows: boto3 loaded with K2's service model (C2Devel/
// botocore 1.20.14-ROCKIT67), driven by test/support/k2_c2ct.py the way `c2-ct` drives it, for all
// 18 operations. .ci/run installs Debian's python3-boto3 where no python3 on the PATH has boto3;
// k2-operations.test.ts sends the same wire from JavaScript.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

// The first python3 that has boto3: the PATH's, else Debian's (which .ci/run installs boto3 for).
const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
const python = candidates.find((p) => spawnSync(p, ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0) ?? 'python3';
const NOW_S = String(Date.parse(FROZEN_NOW) / 1000);
type Creds = { accessKeyId: string; secretAccessKey: string; customer: string; project: string };
type Line = {
  action: string;
  result?: Record<string, any>;
  error?: { code: string; message: string };
  wire: { target: string; authorization: string; contentType: string; body: Record<string, any> };
};

const tmp = mkdtempSync(join(tmpdir(), 'k2-c2ct-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("K2 through boto3 with K2's own service model, as c2-ct drives it", () => {
  const env = useEmulator({ now: FROZEN_NOW, only: ['k2'] });

  // Asynchronous: the emulator answers from this same process.
  async function c2ct(scenario: Array<[string, Record<string, string>]>): Promise<Line[]> {
    const c = env.get().providers.k2.credentials as Creds;
    const file = join(tmp, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    writeFileSync(join(tmp, 'config'), '[default]\n');
    const { stdout } = await promisify(execFile)(python, [resolve('test/support/k2_c2ct.py'), file], {
      env: {
        PATH: process.env.PATH,
        HOME: tmp,
        AWS_CONFIG_FILE: join(tmp, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'credentials'),
        AWS_DATA_PATH: resolve('test/support/k2-model'),
        AWS_CLOUDTRAIL_URL: env.get().providers.k2.baseUrl,
        AWS_ACCESS_KEY_ID: c.accessKeyId,
        AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
        BASE_ACCESS_KEY: c.accessKeyId.split(':').pop()!,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
      },
      timeout: 60_000,
    });
    return stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  }

  it('runs all 18 operations, sending the long target, region croc, epoch seconds and {"Name": ...}', async () => {
    const c = env.get().providers.k2.credentials as Creds;
    const bucket = `${c.customer}-activity-log`;
    const arn = `arn:aws:cloudtrail:ru-msk:${c.customer}:trail/c2ct-trail`;
    const lines = await c2ct([
      ['CreateTrail', { Name: 'c2ct-trail', S3BucketName: bucket, 'TagsList.1.Key': 'team', 'TagsList.1.Value': 'sec' }],
      ['DescribeTrails', {}],
      ['GetTrail', { Name: 'c2ct-trail' }],
      ['ListTrails', {}],
      ['StartLogging', { Name: 'c2ct-trail' }],
      ['GetTrailStatus', { Name: 'c2ct-trail' }],
      ['StopLogging', { Name: 'c2ct-trail' }],
      ['UpdateTrail', { Name: 'c2ct-trail', S3BucketName: `${c.customer}-backups` }],
      ['PutEventSelectors', { Name: 'c2ct-trail', 'EventSelectors.1.ReadWriteType': 'WriteOnly', 'EventSelectors.1.IncludeManagementEvents': 'true' }],
      ['GetEventSelectors', { Name: 'c2ct-trail' }],
      ['PutInsightSelectors', { TrailName: 'c2ct-trail', 'InsightSelectors.1.InsightType': 'ApiCallRateInsight' }],
      ['GetInsightSelectors', { TrailName: 'c2ct-trail' }],
      ['AddTags', { ResourceId: arn, 'TagsList.1.Key': 'env', 'TagsList.1.Value': 'prod' }],
      ['RemoveTags', { ResourceId: arn, 'TagsList.1.Key': 'team' }],
      ['ListTags', { 'ResourceIdList.1': arn }],
      ['ListPublicKeys', { StartTime: String(Number(NOW_S) - 86400), EndTime: NOW_S }],
      [
        'LookupEvents',
        {
          StartTime: String(Number(NOW_S) - 3600),
          EndTime: NOW_S,
          MaxResults: '50',
          'LookupAttributes.1.AttributeKey': 'EventSource',
          'LookupAttributes.1.AttributeValue': 'cloudtrail.amazonaws.com',
        },
      ],
      ['DeleteTrail', { Name: 'c2ct-trail' }],
    ]);
    expect(lines.map((l) => l.action)).toHaveLength(18);
    for (const l of lines) {
      expect(l.error, `${l.action}: ${JSON.stringify(l.error)}`).toBeUndefined();
      expect(l.wire.target).toBe(`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.${l.action}`);
      expect(l.wire.contentType).toBe('application/x-amz-json-1.1');
      expect(l.wire.authorization).toMatch(
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=${c.accessKeyId}/\\d{8}/croc/cloudtrail/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, `,
        ),
      );
    }
    const by = Object.fromEntries(lines.map((l) => [l.action, l]));
    expect(by.PutEventSelectors.wire.body).toEqual({ Name: 'c2ct-trail', EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] });
    // K2's model has Name in the output, so botocore keeps it (AWS's model would drop it).
    expect(by.GetEventSelectors.result).toEqual({
      Name: 'c2ct-trail',
      EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [] }],
    });
    expect(by.LookupEvents.wire.body).toMatchObject({ StartTime: Number(NOW_S) - 3600, EndTime: Number(NOW_S), MaxResults: 50 });
    expect(Number.isInteger(by.LookupEvents.wire.body.StartTime)).toBe(true);
    const events = by.LookupEvents.result!.Events as Array<Record<string, string>>;
    // K2's model has Project on Event, so c2-ct shows it.
    expect(events.length).toBeGreaterThan(10);
    expect(events.every((e) => e.Project === c.project && typeof e.EventId === 'string')).toBe(true);
    expect(by.UpdateTrail.result).toMatchObject({ S3BucketName: `${c.customer}-backups` });
    expect(by.ListTags.result).toEqual({ ResourceTagList: [{ ResourceId: arn, TagsList: [{ Key: 'env', Value: 'prod' }] }] });
    expect(by.GetInsightSelectors.result).toEqual({ TrailARN: arn, InsightSelectors: [{ InsightType: 'ApiCallRateInsight' }] });
    expect(by.ListPublicKeys.result).toEqual({ PublicKeyList: [] });
  }, 90_000);

  it("gets the model's exceptions for a malformed ARN, an unknown trail, a name for an ARN and a missing bucket", async () => {
    const lines = await c2ct([
      ['GetTrail', { Name: 'arn:aws:cloudtrail:ru-msk' }],
      ['GetTrailStatus', { Name: 'no-such-trail' }],
      ['AddTags', { ResourceId: 'not-an-arn', 'TagsList.1.Key': 'k' }],
      ['CreateTrail', { Name: 'another', S3BucketName: 'no-such-bucket' }],
    ]);
    expect(lines.map((l) => l.error?.code)).toEqual([
      'InvalidTrailNameException',
      'TrailNotFoundException',
      'CloudTrailARNInvalidException',
      'S3BucketDoesNotExistException',
    ]);
  }, 60_000);
});

describe("K2's new operations through the real AWS CLI (AWS's model)", () => {
  const env = useEmulator({ now: FROZEN_NOW, only: ['k2'] });

  async function aws(args: string[]): Promise<any> {
    const c = env.get().providers.k2.credentials as Creds;
    writeFileSync(join(tmp, 'cli-config'), '[default]\n');
    const { stdout } = await promisify(execFile)(
      process.env.AWS_CLI ?? 'aws',
      ['cloudtrail', ...args, '--endpoint-url', env.get().providers.k2.baseUrl, '--output', 'json'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: tmp,
          AWS_CONFIG_FILE: join(tmp, 'cli-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'credentials'),
          AWS_ACCESS_KEY_ID: c.accessKeyId,
          AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
          AWS_DEFAULT_REGION: 'croc',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
          AWS_PAGER: '',
        },
        timeout: 60_000,
      },
    );
    return stdout.trim() ? JSON.parse(stdout) : {};
  }

  it('tags, selectors, insights and public keys work from `aws cloudtrail`', async () => {
    const c = env.get().providers.k2.credentials as Creds;
    const arn = `arn:aws:cloudtrail:ru-msk:${c.customer}:trail/cli-trail`;
    await aws(['create-trail', '--name', 'cli-trail', '--s3-bucket-name', `${c.customer}-activity-log`]);
    const put = await aws(['put-event-selectors', '--trail-name', 'cli-trail', '--event-selectors', 'ReadWriteType=ReadOnly,IncludeManagementEvents=true']);
    expect(put.EventSelectors).toEqual([{ ReadWriteType: 'ReadOnly', IncludeManagementEvents: true, DataResources: [] }]);
    expect((await aws(['get-event-selectors', '--trail-name', 'cli-trail'])).EventSelectors[0].ReadWriteType).toBe('ReadOnly');
    await aws(['add-tags', '--resource-id', arn, '--tags-list', 'Key=env,Value=prod']);
    expect((await aws(['list-tags', '--resource-id-list', arn])).ResourceTagList).toEqual([{ ResourceId: arn, TagsList: [{ Key: 'env', Value: 'prod' }] }]);
    await aws(['remove-tags', '--resource-id', arn, '--tags-list', 'Key=env']);
    await aws(['put-insight-selectors', '--trail-name', 'cli-trail', '--insight-selectors', 'InsightType=ApiCallRateInsight']);
    expect((await aws(['get-insight-selectors', '--trail-name', 'cli-trail'])).InsightSelectors).toEqual([{ InsightType: 'ApiCallRateInsight' }]);
    expect(await aws(['list-public-keys'])).toEqual({ PublicKeyList: [] });
    expect((await aws(['update-trail', '--name', 'cli-trail', '--s3-bucket-name', `${c.customer}-backups`])).S3BucketName).toBe(`${c.customer}-backups`);
    await expect(aws(['update-trail', '--name', 'cli-trail', '--s3-key-prefix', 'x'])).rejects.toThrow(/InvalidParameterException.*S3BucketName is required/);
    await aws(['delete-trail', '--name', 'cli-trail']);
  }, 120_000);
});
