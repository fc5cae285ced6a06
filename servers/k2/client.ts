import { decodedPath, idField, shellQuote as q, type Authorizer, type ClientTarget, type LiveCall, type ProviderHooks } from '../core/hooks.js';

const CLI_AGENT = 'aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64';
const JSON_11 = 'application/x-amz-json-1.1';

/**
 * Signature V4 as the AWS SDKs sign: CloudTrail calls (POST /) as `cloudtrail`, archive reads as
 * `s3` (unsigned payload, path not escaped twice). The signer loads on first use: the emulator
 * itself never needs it.
 */
async function sigv4({ credentials: c }: ClientTarget): Promise<Authorizer> {
  const [{ SignatureV4 }, { Sha256 }] = await Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]);
  return async (req) => {
    const service = req.method === 'POST' && req.url.pathname === '/' ? 'cloudtrail' : 's3';
    const credentials = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey };
    const signer = new SignatureV4({ service, region: c.region, credentials, sha256: Sha256, uriEscapePath: service !== 's3' });
    const signed = await signer.sign({
      method: req.method,
      protocol: 'http:',
      hostname: req.url.hostname,
      port: Number(req.url.port),
      path: decodedPath(req.url),
      query: Object.fromEntries(req.url.searchParams),
      headers: { host: req.url.host, ...req.headers, ...(service === 's3' ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}) },
      body: req.body || undefined,
    });
    const h = { ...(signed.headers as Record<string, string>) };
    delete h.host;
    return h;
  };
}

const op = (name: string, target: string, body: object, expect = 200): LiveCall => ({
  name,
  method: 'POST',
  path: '/',
  body: JSON.stringify(body),
  expect,
  headers: { 'content-type': JSON_11, 'x-amz-target': `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.${target}` },
});

const soakOp = (target: string, body: object) => ({
  method: 'POST',
  path: '/',
  body: JSON.stringify(body),
  headers: { 'content-type': JSON_11, 'x-amz-target': `CloudTrail_20131101.${target}` },
});

/** How a client of K2 talks to it: the CloudTrail JSON 1.1 API and S3 reads, signed with Signature V4. */
export const k2Client: ProviderHooks = {
  authorizer: sigv4,

  live: {
    env: { required: ['AWS_CLOUDTRAIL_URL', 'K2_ACCESS_KEY_ID', 'K2_SECRET_ACCESS_KEY'], optional: { K2_REGION: 'ru-msk' } },
    fromEnv: (e) => ({
      baseUrl: e.AWS_CLOUDTRAIL_URL!,
      credentials: { accessKeyId: e.K2_ACCESS_KEY_ID, secretAccessKey: e.K2_SECRET_ACCESS_KEY, region: e.K2_REGION ?? 'ru-msk' },
    }),
    calls: () => [
      op('lookup events', 'LookupEvents', { MaxResults: 5 }),
      op('lookup by event name', 'LookupEvents', { MaxResults: 5, LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunInstances' }] }),
      op('describe trails', 'DescribeTrails', {}),
      op('list trails', 'ListTrails', {}),
      op('MaxResults 51 is refused', 'LookupEvents', { MaxResults: 51 }, 400),
      { ...op('a bad signature is refused', 'LookupEvents', {}, 400), auth: 'wrong' },
    ],
    // Signed properly with a wrong secret: a malformed header would be a different exception.
    wrongAuthorizer: (t) => sigv4({ ...t, credentials: { ...t.credentials, secretAccessKey: 'wrong-secret' } }),
  },

  scenarioRecord(b, { actor }) {
    return {
      eventTime: new Date(b.at).toISOString(),
      eventName: b.action,
      sourceIPAddress: b.ip ?? b.person.officeIp,
      userAgent: b.userAgent ?? CLI_AGENT,
      ...(actor.userName ? { userName: actor.userName } : {}),
      ...(actor.project ? { project: actor.project } : {}),
      ...b.fields,
    };
  },

  snippets({ baseUrl, credentials: c }) {
    const env = `AWS_ACCESS_KEY_ID=${q(c.accessKeyId)} AWS_SECRET_ACCESS_KEY=${q(c.secretAccessKey)} AWS_PAGER=`;
    return [{ label: 'AWS CLI', code: `${env} aws cloudtrail lookup-events --region ${q(c.region ?? 'ru-msk')} --endpoint-url ${q(baseUrl)} --max-results 5` }];
  },

  soak: () => ({
    connections: 30,
    requests: [
      soakOp('LookupEvents', { MaxResults: 50 }),
      soakOp('LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunInstances' }], MaxResults: 20 }),
      soakOp('DescribeTrails', {}),
    ],
  }),

  pathValues(m) {
    const buckets = ((m.buckets as unknown[]) ?? []).map((b: any) => (typeof b === 'string' ? b : b.name));
    return { customer: [m.credentials.customer, m.customer].filter(Boolean), bucket: buckets };
  },

  arrival: { action: 'DescribeInstances', fields: { eventSource: 'ec2.amazonaws.com' } },

  // LookupEvents answers `EventId`; the archives hold CloudTrail records, whose id is `eventID`.
  feeds: { 'lookup-events': { identity: (r) => idField(r, 'EventId') }, 'trail-archives': { identity: (r) => idField(r, 'eventID') } },
};
