import { describe, expect, it } from 'vitest';
import { matchTemplate } from '../../servers/core/spec.js';
import { splitAccessKey } from '../../servers/k2/world.js';
import { expectedSignature, parseAuthorization } from '../../servers/k2/sigv4.js';

// The worked signing example of K2's documentation (botocore computes the same signatures).
const body = '{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"false"}],"MaxResults":10}';
function example(region: string, target: string) {
  return expectedSignature({
    method: 'POST',
    path: '/',
    query: [],
    headers: { 'content-type': 'application/x-amz-json-1.1', host: '127.0.0.1:4599', 'x-amz-date': '20240514T092107Z', 'x-amz-target': target },
    body: new TextEncoder().encode(body),
    auth: {
      accessKeyId: 'proj1:user1@acme',
      date: '20240514',
      region,
      service: 'cloudtrail',
      signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
      signature: '',
    },
    secret: 'k2ExampleSecretKey0000000000000000000000',
    signingDate: new Date(Date.UTC(2024, 4, 14, 9, 21, 7)),
  });
}

describe('K2 SigV4', () => {
  it('reproduces the spec worked example for both regions and both target forms', async () => {
    const long = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents';
    expect(await example('ru-msk', long)).toBe('73f920515602d891aee37ccbf538536e87f3e9730447878465aa2eeddc2b0556');
    expect(await example('croc', long)).toBe('d40960117fbcbe36c606a49c2c4b58a2c582849975141435d0466cfdbe4e35c1');
    expect(await example('ru-msk', 'CloudTrail_20131101.LookupEvents')).toBe('7a650085b455a478a00abf7ded65b0c6d2a82f79e86e0b8936e545e4d71b89cf');
  });

  it('splits the Credential from the right, so keys may hold ":" and "@"', () => {
    const p = parseAuthorization(
      'AWS4-HMAC-SHA256 Credential=web-prod:ivan.petrov@acme/20240514/ru-msk/cloudtrail/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
    );
    expect(p).toEqual({
      ok: true,
      auth: {
        accessKeyId: 'web-prod:ivan.petrov@acme',
        date: '20240514',
        region: 'ru-msk',
        service: 'cloudtrail',
        signedHeaders: ['host', 'x-amz-date'],
        signature: 'abc',
      },
    });
    expect(splitAccessKey('web-prod:ivan.petrov@acme')).toEqual({ project: 'web-prod', user: 'ivan.petrov', customer: 'acme' });
    expect(splitAccessKey('ivan.petrov@acme')).toEqual({ project: '', user: 'ivan.petrov', customer: 'acme' });
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=x').ok).toBe(false);
    expect(parseAuthorization('Bearer x').ok).toBe(false);
  });

  it('matches greedy {key+} path labels across segments', () => {
    expect(matchTemplate('/{bucket}/{key+}', '/b/AWSLogs/acme/x.tar.gz')).toEqual({ bucket: 'b', key: 'AWSLogs/acme/x.tar.gz' });
    expect(matchTemplate('/{bucket}/{key}', '/b/x/y')).toBeNull();
    expect(matchTemplate('/{bucket}', '/b')).toEqual({ bucket: 'b' });
  });
});
