import {
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListEventDataStoresCommand,
  ListTrailsCommand,
  LookupEventsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  UpdateTrailCommand,
  type LookupAttributeKey,
} from '@aws-sdk/client-cloudtrail';
import { describe, expect, it } from 'vitest';
import { K2Client, K2Console, type ErrorBody, type K2EventItem } from '../../contracts/k2/client.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

const env = useEmulator({ now: FROZEN_NOW, only: ['k2'] });
const NOW_S = Date.parse(FROZEN_NOW) / 1000;

type Creds = {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  customer: string;
  username: string;
  project: string;
  nonAdmin: { accessKeyId: string; secretAccessKey: string; username: string };
};
const creds = () => env.get().providers.k2.credentials as Creds;
const base = () => env.get().providers.k2.baseUrl;

function sdk(over: Partial<{ accessKeyId: string; secretAccessKey: string; region: string }> = {}) {
  const c = creds();
  return new CloudTrailClient({
    endpoint: base(),
    region: over.region ?? c.region,
    credentials: { accessKeyId: over.accessKeyId ?? c.accessKeyId, secretAccessKey: over.secretAccessKey ?? c.secretAccessKey },
    maxAttempts: 1,
  });
}
function client(over: Partial<{ accessKeyId: string; secretAccessKey: string; region: string }> = {}) {
  const c = creds();
  return new K2Client({ baseUrl: base(), accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, region: c.region, ...over });
}
async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected an error');
}

describe('K2 LookupEvents through @aws-sdk/client-cloudtrail', () => {
  it('returns the newest 50 by default, with CloudTrailEvent consistent with the outer fields', async () => {
    const r = await sdk().send(new LookupEventsCommand({}));
    const events = r.Events!;
    expect(events).toHaveLength(50);
    // Section 6.2's shape: base64url JSON, '.', base64url HMAC.
    expect(r.NextToken).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(r.NextToken!.split('.')[0], 'base64url').toString())).toMatchObject({ v: 1 });
    const times = events.map((e) => e.EventTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(times[0]).toBeLessThanOrEqual(Date.parse(FROZEN_NOW));
    for (const e of events) {
      const rec = JSON.parse(e.CloudTrailEvent!);
      expect(rec.eventID).toBe(e.EventId);
      expect(rec.eventName).toBe(e.EventName);
      expect(String(rec.readOnly)).toBe(e.ReadOnly);
      expect(Date.parse(rec.eventTime)).toBe(e.EventTime!.getTime());
      expect(rec.userName).toBe(e.Username);
      expect(rec.eventSource).toBe(e.EventSource);
      expect(rec.recipientAccountId).toBe(creds().customer);
      expect(rec.userName.endsWith(`@${creds().customer}`)).toBe(true);
      if (rec.eventType === 'AwsApiCall') expect(rec.sourceIPAddress).toBeUndefined();
      else expect(rec.sourceIPAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      if (rec.readOnly) expect(rec.responseElements).toEqual({});
    }
    // Project is K2's own member: invisible to the SDK, present on the wire.
    const raw = await client().lookupEvents({ MaxResults: 5 });
    expect(raw.ok && raw.body.Events.every((e) => typeof e.Project === 'string' && typeof e.EventTime === 'number')).toBe(true);
    expect(raw.response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(raw.response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
  });

  it('generates realistic history: EC2 calls, console sign-ins, the hidden system user, mostly read-only', async () => {
    const all: K2EventItem[] = [];
    for await (const e of client().events({ StartTime: NOW_S - 3 * 86400, EndTime: NOW_S })) all.push(e);
    expect(all.length).toBeGreaterThan(300);
    const names = new Set(all.map((e) => e.EventName));
    for (const n of ['DescribeInstances', 'RunInstances', 'StopInstances', 'TerminateInstances', 'ConsoleLogin']) expect(names.has(n), n).toBe(true);
    expect(all.some((e) => e.Username === `system@${creds().customer}`)).toBe(true);
    const ro = all.filter((e) => e.ReadOnly === 'true').length / all.length;
    expect(ro).toBeGreaterThan(0.6);
    expect(ro).toBeLessThan(0.95);
    expect(all.some((e) => JSON.parse(e.CloudTrailEvent).errorCode)).toBe(true);
    const key = all.find((e) => e.AccessKeyId)!.AccessKeyId;
    expect(key).toMatch(/^[a-z0-9-]+:[a-z.]+@[a-z0-9]+$/);
  });

  it('filters on every attribute key, one per call, and pages with NextToken without overlap', async () => {
    const window = { StartTime: new Date((NOW_S - 86400) * 1000), EndTime: new Date(NOW_S * 1000) };
    const all: import('@aws-sdk/client-cloudtrail').Event[] = [];
    let token: string | undefined;
    do {
      const r = await sdk().send(new LookupEventsCommand({ ...window, MaxResults: 50, NextToken: token }));
      all.push(...r.Events!);
      token = r.NextToken;
    } while (token);
    expect(new Set(all.map((e) => e.EventId)).size).toBe(all.length);
    const pick = all.find((e) => e.Resources!.length > 0)!;
    const cases: Array<[LookupAttributeKey, string, (e: (typeof all)[number]) => boolean]> = [
      ['EventId', pick.EventId!, (e) => e.EventId === pick.EventId],
      ['EventName', 'DescribeInstances', (e) => e.EventName === 'DescribeInstances'],
      ['ReadOnly', 'FALSE', (e) => e.ReadOnly === 'false'],
      ['Username', pick.Username!, (e) => e.Username === pick.Username],
      ['ResourceType', pick.Resources![0].ResourceType!, (e) => e.Resources!.some((r) => r.ResourceType === pick.Resources![0].ResourceType)],
      ['ResourceName', pick.Resources![0].ResourceName!, (e) => e.Resources!.some((r) => r.ResourceName === pick.Resources![0].ResourceName)],
      ['EventSource', 'ec2.amazonaws.com', (e) => e.EventSource === 'ec2.amazonaws.com'],
      ['AccessKeyId', pick.AccessKeyId!, (e) => e.AccessKeyId === pick.AccessKeyId],
    ];
    for (const [key, value, pred] of cases) {
      const got = [];
      let t: string | undefined;
      do {
        const r = await sdk().send(new LookupEventsCommand({ ...window, LookupAttributes: [{ AttributeKey: key, AttributeValue: value }], NextToken: t }));
        got.push(...r.Events!);
        t = r.NextToken;
      } while (t);
      const want = all.filter(pred);
      expect(want.length, key).toBeGreaterThan(0);
      expect(
        got.map((e) => e.EventId),
        key,
      ).toEqual(want.map((e) => e.EventId));
    }
  });

  it('honours inclusive StartTime/EndTime, 30-day retention and EventCategory insight', async () => {
    const r = await client().lookupEvents({ StartTime: NOW_S - 4 * 3600, EndTime: NOW_S - 3600, MaxResults: 50 });
    expect(r.ok && r.body.Events.length).toBeGreaterThan(0);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const e of r.body.Events) expect(e.EventTime >= NOW_S - 4 * 3600 && e.EventTime <= NOW_S - 3600).toBe(true);
    const exact = r.body.Events[0];
    const one = await client().lookupEvents({ StartTime: exact.EventTime, EndTime: exact.EventTime });
    expect(one.ok && one.body.Events.map((e) => e.EventId)).toContain(exact.EventId);
    // ISO strings and numeric strings are accepted for timestamps too.
    const iso = await client().raw(
      'LookupEvents',
      JSON.stringify({ StartTime: new Date((NOW_S - 4 * 3600) * 1000).toISOString(), EndTime: String(NOW_S - 3600), MaxResults: 50 }),
    );
    expect(iso.ok && (iso.body as { Events: unknown[] }).Events.length).toBe(r.body.Events.length);
    const old = await client().lookupEvents({ StartTime: NOW_S - 60 * 86400, EndTime: NOW_S - 31 * 86400 });
    expect(old.ok && old.body.Events).toEqual([]);
    const edge = await client().lookupEvents({ StartTime: NOW_S - 60 * 86400, EndTime: NOW_S - 29 * 86400, MaxResults: 50 });
    expect(edge.ok && edge.body.Events.length).toBeGreaterThan(0);
    if (edge.ok) for (const e of edge.body.Events) expect(e.EventTime).toBeGreaterThanOrEqual(NOW_S - 30 * 86400);
    const insight = await sdk().send(new LookupEventsCommand({ EventCategory: 'insight' }));
    expect(insight.Events).toEqual([]);
  });

  it('rejects bad input with the documented exceptions, never a 5xx', async () => {
    const cases: Array<[object, string]> = [
      [{ MaxResults: 0 }, 'InvalidMaxResultsException'],
      [{ MaxResults: 51 }, 'InvalidMaxResultsException'],
      [
        {
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'a' },
            { AttributeKey: 'ReadOnly', AttributeValue: 'true' },
          ],
        },
        'InvalidLookupAttributesException',
      ],
      [{ LookupAttributes: [{ AttributeKey: 'Nope', AttributeValue: 'a' }] }, 'InvalidLookupAttributesException'],
      [{ LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'maybe' }] }, 'InvalidLookupAttributesException'],
      [{ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: '' }] }, 'InvalidLookupAttributesException'],
      [{ StartTime: new Date((NOW_S - 10) * 1000), EndTime: new Date((NOW_S - 20) * 1000) }, 'InvalidTimeRangeException'],
      [{ EventCategory: 'management' }, 'InvalidEventCategoryException'],
      [{ NextToken: 'garbage' }, 'InvalidNextTokenException'],
    ];
    for (const [input, type] of cases) {
      const e = await sdkError(sdk().send(new LookupEventsCommand(input as never)));
      expect(e.name, JSON.stringify(input)).toBe(type);
      expect(e.status).toBe(400);
    }
    expect((await sdkError(sdk().send(new LookupEventsCommand({ MaxResults: 51 })))).message).toBe('MaxResults must be between 1 and 50.');
    expect(
      (
        await sdkError(
          sdk().send(
            new LookupEventsCommand({
              LookupAttributes: [
                { AttributeKey: 'EventName', AttributeValue: 'a' },
                { AttributeKey: 'EventName', AttributeValue: 'b' },
              ],
            }),
          ),
        )
      ).message,
    ).toBe('You can specify only one lookup attribute.');
    // A NextToken is bound to the parameters of the call that produced it.
    const p1 = await sdk().send(new LookupEventsCommand({ MaxResults: 10 }));
    const reused = await sdkError(
      sdk().send(
        new LookupEventsCommand({ MaxResults: 10, NextToken: p1.NextToken, LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'true' }] }),
      ),
    );
    expect(reused.name).toBe('InvalidNextTokenException');
    expect((await sdkError(sdk().send(new LookupEventsCommand({ MaxResults: 20, NextToken: p1.NextToken })))).name).toBe('InvalidNextTokenException');
    const tampered = p1.NextToken!.slice(0, -2) + (p1.NextToken!.endsWith('A') ? 'BB' : 'AA');
    expect((await sdkError(sdk().send(new LookupEventsCommand({ MaxResults: 10, NextToken: tampered })))).name).toBe('InvalidNextTokenException');
    const p2 = await sdk().send(new LookupEventsCommand({ MaxResults: 10, NextToken: p1.NextToken }));
    expect(p2.Events![0].EventTime!.getTime()).toBeLessThanOrEqual(p1.Events![9].EventTime!.getTime());
    expect(p2.Events!.some((e) => p1.Events!.some((x) => x.EventId === e.EventId))).toBe(false);
  });

  it('answers wrong JSON types with SerializationException', async () => {
    const bodies: Array<[string, string]> = [
      ['{"MaxResults":"ten"}', 'STRING_VALUE can not be converted to an Integer'],
      ['{"MaxResults":1.5}', 'NUMBER_VALUE can not be converted to an Integer'],
      ['{"LookupAttributes":{"AttributeKey":"EventName"}}', 'Start of structure or map found where not expected.'],
      ['{"LookupAttributes":[{"AttributeKey":5,"AttributeValue":"x"}]}', 'NUMBER_VALUE can not be converted to a String'],
      ['{"StartTime":true}', 'TRUE_VALUE can not be converted to a Timestamp'],
      ['{"StartTime":"yesterday"}', 'STRING_VALUE can not be converted to a Timestamp'],
      ['{"NextToken":["a"]}', 'Start of list found where not expected.'],
      ['[1,2]', 'Start of list found where not expected.'],
      ['not json', 'Unexpected character found in the request body; it is not valid JSON.'],
    ];
    for (const [body, message] of bodies) {
      const r = await client().raw('LookupEvents', body);
      expect(r.status, body).toBe(400);
      expect(r.body, body).toEqual({ __type: 'SerializationException', message });
      expect(r.response.headers.get('x-amzn-errortype')).toBe('SerializationException');
    }
    const e = await sdkError(sdk().send(new CreateTrailCommand({ Name: 'x'.repeat(5), S3BucketName: 5 as never })));
    expect(e.name).toBe('SerializationException');
  });
});

describe('K2 SigV4 ladder', () => {
  it('verifies signatures for both target forms and any region, and walks the failure ladder in order', async () => {
    expect((await client().lookupEvents({ MaxResults: 1 }, { targetPrefix: 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101' })).ok).toBe(true);
    expect((await client({ region: 'croc' }).lookupEvents({ MaxResults: 1 })).ok).toBe(true);
    const none = await fetch(`${base()}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'CloudTrail_20131101.LookupEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
    const incomplete = await client().lookupEvents({}, { after: (h) => (h.authorization = h.authorization.replace(/, Signature=[0-9a-f]+/, '')) });
    expect(incomplete.status).toBe(400);
    expect((incomplete.body as ErrorBody).__type).toBe('IncompleteSignatureException');
    expect((incomplete.body as ErrorBody).message).toMatch(/^Authorization header requires 'Signature' parameter\./);
    const svc = await client().lookupEvents({}, { after: (h) => (h.authorization = h.authorization.replace('/cloudtrail/', '/ec2/')) });
    expect(svc.body as ErrorBody).toEqual({ __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'cloudtrail'." });
    const unknown = await sdkError(sdk({ accessKeyId: `web-prod:nobody@${creds().customer}` }).send(new LookupEventsCommand({})));
    expect(unknown).toMatchObject({ name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.', status: 400 });
    const expired = await client().lookupEvents({}, { signingDate: new Date(Date.now() - 20 * 60_000) });
    expect((expired.body as ErrorBody).__type).toBe('InvalidSignatureException');
    expect((expired.body as ErrorBody).message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    const future = await client().lookupEvents({}, { signingDate: new Date(Date.now() + 20 * 60_000) });
    expect((future.body as ErrorBody).message).toMatch(
      /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/,
    );
    const tampered = await client().lookupEvents(
      {},
      { after: (h) => (h.authorization = h.authorization.replace(/Signature=([0-9a-f])/, (_m, c) => `Signature=${c === '0' ? '1' : '0'}`)) },
    );
    expect(tampered.body as ErrorBody).toEqual({
      __type: 'InvalidSignatureException',
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    });
    // The request log shows the canonical request the emulator computed for the refused call, never the secret.
    const log = await (await fetch(`${env.get().controlUrl}/_emulator/requests?vendor=k2&status=400&limit=1`)).json();
    expect(log.requests[0].auth).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/^The request signature we calculated/) });
    expect(log.requests[0].auth.canonical).toMatch(/^POST\n\/\n\n(.+\n)*x-amz-target:CloudTrail_20131101\.LookupEvents\n/);
    expect(JSON.stringify(log)).not.toContain((env.get().providers.k2.credentials as { secretAccessKey: string }).secretAccessKey);
    const wrongSecret = await sdkError(sdk({ secretAccessKey: 'x'.repeat(40) }).send(new LookupEventsCommand({})));
    expect(wrongSecret.name).toBe('InvalidSignatureException');
    // The body is part of the signature.
    const body = await client().raw('LookupEvents', '{"MaxResults":5}', { after: () => undefined });
    expect(body.ok).toBe(true);
  });

  it('refuses callers outside ActivityLogAdministrators, and records the refusal', async () => {
    const n = creds().nonAdmin;
    const e = await sdkError(sdk({ accessKeyId: n.accessKeyId, secretAccessKey: n.secretAccessKey }).send(new DescribeTrailsCommand({})));
    expect(e).toMatchObject({
      name: 'AccessDeniedException',
      status: 400,
      message: `User ${n.username} is not a member of the ActivityLogAdministrators group.`,
    });
    const r = await sdk().send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: n.username }], MaxResults: 5 }));
    const rec = JSON.parse(r.Events![0].CloudTrailEvent!);
    expect(rec).toMatchObject({ eventName: 'DescribeTrails', errorCode: 'AccessDeniedException', eventSource: 'cloudtrail.amazonaws.com' });
  });

  it("answers UnknownOperationException for operations outside K2's model (CloudTrail Lake and the like)", async () => {
    const e = await sdkError(sdk().send(new ListEventDataStoresCommand({})));
    expect(e).toMatchObject({ name: 'UnknownOperationException', message: 'Unknown operation: ListEventDataStores', status: 400 });
    const none = await client().raw('', '{}', { targetPrefix: '' });
    expect((none.body as ErrorBody).__type).toBe('UnknownOperationException');
  });

  it('fails every call while the subscription is off, and records nothing', async () => {
    const con = new K2Console(base(), creds().customer);
    expect((await con.subscription(false)).body).toEqual({ active: false });
    const e = await sdkError(sdk().send(new ListTrailsCommand({})));
    expect(e).toMatchObject({ name: 'OperationNotPermittedException', message: `The Activity Log subscription is inactive for customer ${creds().customer}.` });
    expect((await con.subscription(true)).body).toEqual({ active: true });
    const r = await sdk().send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListTrails' }] }));
    expect(r.Events!.some((x) => JSON.parse(x.CloudTrailEvent!).errorCode === 'OperationNotPermittedException')).toBe(false);
    expect((await con.subscription()).body).toEqual({ active: true });
  });
});

describe('K2 trails through the SDK', () => {
  it('creates, reads, updates, logs and deletes trails with AWS rules and exceptions', async () => {
    const c = sdk();
    const bucket = `${creds().customer}-activity-log`;
    const created = await c.send(new CreateTrailCommand({ Name: 'audit-archive', S3BucketName: bucket, S3KeyPrefix: 'k2' }));
    expect(created).toMatchObject({
      Name: 'audit-archive',
      S3BucketName: bucket,
      S3KeyPrefix: 'k2',
      IncludeGlobalServiceEvents: true,
      IsMultiRegionTrail: false,
      TrailARN: `arn:aws:cloudtrail:ru-msk:${creds().customer}:trail/audit-archive`,
      LogFileValidationEnabled: false,
      IsOrganizationTrail: false,
    });
    const requestId = created.$metadata.requestId;
    expect((await sdkError(c.send(new CreateTrailCommand({ Name: 'audit-archive', S3BucketName: bucket })))).name).toBe('TrailAlreadyExistsException');
    const bad: Array<[string, string]> = [
      ['ab', 'Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters.'],
      ['-abc', 'Trail name must starts with a letter or number.'],
      ['abc-', 'Trail name must ends with a letter or number.'],
      ['my--namespace', 'Trail name cannot contain consecutive special characters.'],
      ['my trail', 'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).'],
      ['10.0.0.1', 'Trail name must not be formatted as an IP address.'],
      ['a'.repeat(129), 'Trail name too long. Maximum allowed length: 128 characters. Specified name length: 129 characters.'],
    ];
    for (const [name, message] of bad)
      expect(await sdkError(c.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket }))), name).toMatchObject({
        name: 'InvalidTrailNameException',
        message,
      });
    expect((await sdkError(c.send(new CreateTrailCommand({ Name: 'second', S3BucketName: 'Bad_Bucket' })))).name).toBe('InvalidS3BucketNameException');
    expect((await sdkError(c.send(new CreateTrailCommand({ Name: 'second', S3BucketName: bucket, S3KeyPrefix: 'p'.repeat(201) })))).name).toBe(
      'InvalidS3PrefixException',
    );
    expect(
      (await sdkError(c.send(new CreateTrailCommand({ Name: 'second', S3BucketName: bucket, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: false }))))
        .name,
    ).toBe('InvalidParameterCombinationException');
    expect(await sdkError(c.send(new CreateTrailCommand({ Name: 'second', S3BucketName: 'no-such-bucket' })))).toMatchObject({
      name: 'S3BucketDoesNotExistException',
      message: 'S3 bucket no-such-bucket does not exist!',
    });
    await c.send(new CreateTrailCommand({ Name: 'second', S3BucketName: `${creds().customer}-backups`, SnsTopicName: 'alerts' }));
    expect(await sdkError(c.send(new CreateTrailCommand({ Name: 'third', S3BucketName: bucket })))).toMatchObject({
      name: 'MaximumNumberOfTrailsExceededException',
      message: `User: ${creds().customer} already has 2 trails in ru-msk.`,
    });
    const described = await c.send(new DescribeTrailsCommand({}));
    expect(described.trailList!.map((t) => t.Name)).toEqual(['audit-archive', 'second']);
    expect(described.trailList![1]).toMatchObject({
      SnsTopicARN: `arn:aws:sns:ru-msk:${creds().customer}:alerts`,
      HomeRegion: 'ru-msk',
      HasCustomEventSelectors: false,
    });
    expect((await c.send(new DescribeTrailsCommand({ trailNameList: ['second', 'missing'] }))).trailList!.map((t) => t.Name)).toEqual(['second']);
    const arn = created.TrailARN!;
    expect((await c.send(new GetTrailCommand({ Name: arn }))).Trail!.Name).toBe('audit-archive');
    expect((await sdkError(c.send(new GetTrailCommand({ Name: 'missing' })))).message).toBe(`Unknown trail: missing for the user: ${creds().customer}`);
    expect((await sdkError(c.send(new GetTrailCommand({ Name: 'arn:aws:cloudtrail:ru-msk' })))).name).toBe('InvalidTrailNameException');
    expect((await sdkError(c.send(new GetTrailCommand({ Name: 'arn:aws:cloudtrail:ru-msk:other:trail/audit-archive' })))).name).toBe('TrailNotFoundException');
    const listed = await c.send(new ListTrailsCommand({}));
    expect(listed.Trails).toEqual([
      { TrailARN: arn, Name: 'audit-archive', HomeRegion: 'ru-msk' },
      { TrailARN: arn.replace('audit-archive', 'second'), Name: 'second', HomeRegion: 'ru-msk' },
    ]);
    // K2's model: S3BucketName is required, and the only member UpdateTrail changes (k2.updateTrailStyle=aws for AWS's).
    expect(await sdkError(c.send(new UpdateTrailCommand({ Name: 'second', EnableLogFileValidation: true, S3KeyPrefix: 'x' })))).toMatchObject({
      name: 'InvalidParameterException',
      message: 'S3BucketName is required',
    });
    const updated = await c.send(new UpdateTrailCommand({ Name: 'second', S3BucketName: bucket, EnableLogFileValidation: true, S3KeyPrefix: 'x' }));
    expect(updated).toMatchObject({ S3BucketName: bucket, LogFileValidationEnabled: false, SnsTopicName: 'alerts' });
    expect(updated.S3KeyPrefix).toBeUndefined();
    expect((await sdkError(c.send(new UpdateTrailCommand({ Name: 'second', S3BucketName: 'gone-bucket' })))).name).toBe('S3BucketDoesNotExistException');
    expect((await sdkError(c.send(new UpdateTrailCommand({ Name: 'nope-trail', S3BucketName: bucket })))).name).toBe('TrailNotFoundException');
    const before = await c.send(new GetTrailStatusCommand({ Name: 'audit-archive' }));
    expect(before).toMatchObject({ IsLogging: false, TimeLoggingStarted: '', LatestDeliveryAttemptTime: '' });
    expect(before.StartLoggingTime).toBeUndefined();
    await c.send(new StartLoggingCommand({ Name: 'audit-archive' }));
    await c.send(new StartLoggingCommand({ Name: 'audit-archive' }));
    const on = await c.send(new GetTrailStatusCommand({ Name: 'audit-archive' }));
    expect(on.IsLogging).toBe(true);
    expect(on.StartLoggingTime!.getTime()).toBe(Date.parse(FROZEN_NOW));
    expect(on.TimeLoggingStarted).toBe('2026-03-10T10:00:00Z');
    await c.send(new StopLoggingCommand({ Name: arn }));
    expect((await c.send(new GetTrailStatusCommand({ Name: 'audit-archive' }))).IsLogging).toBe(false);
    await c.send(new DeleteTrailCommand({ Name: 'second' }));
    expect((await sdkError(c.send(new DeleteTrailCommand({ Name: 'second' })))).name).toBe('TrailNotFoundException');
    await c.send(new DeleteTrailCommand({ Name: 'audit-archive' }));
    expect((await c.send(new ListTrailsCommand({}))).Trails).toEqual([]);

    // Every call was recorded, with the response's request id.
    const ev = await c.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateTrail' }], MaxResults: 50 }));
    const mine = ev.Events!.map((e) => JSON.parse(e.CloudTrailEvent!)).find((r) => r.requestID === requestId)!;
    expect(mine).toMatchObject({ eventSource: 'cloudtrail.amazonaws.com', readOnly: false, userName: creds().username, project: creds().project });
    expect(mine.responseElements.TrailARN).toBe(arn);
    expect(ev.Events!.find((e) => JSON.parse(e.CloudTrailEvent!).requestID === requestId)!.Resources).toEqual([
      { ResourceType: 'AWS::CloudTrail::Trail', ResourceName: arn },
    ]);
    expect(ev.Events!.filter((e) => JSON.parse(e.CloudTrailEvent!).errorCode === 'InvalidTrailNameException').length).toBeGreaterThanOrEqual(7);
    const lookups = await c.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'LookupEvents' }], MaxResults: 1 }));
    expect(lookups.Events![0].ReadOnly).toBe('true');
  });
});
