import { describe, expect, it } from 'vitest';
import { K2Client } from '../../contracts/k2/client.js';
import { startEmulator } from '../../servers/index.js';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

type Creds = { accessKeyId: string; secretAccessKey: string; region: string };

function k2(e: ReturnType<typeof useEmulator>, fetchWith?: Record<string, string>) {
  const c = e.get().providers.k2.credentials as Creds;
  return new K2Client({
    baseUrl: e.get().providers.k2.baseUrl,
    ...c,
    ...(fetchWith
      ? {
          fetch: (url: RequestInfo | URL, init?: RequestInit) =>
            fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), ...fetchWith } }),
        }
      : {}),
  });
}

// The fields K2 documents for a CloudTrailEvent record.
const K2_FIELDS = [
  'additionalEventData',
  'errorCode',
  'errorMessage',
  'eventID',
  'eventName',
  'eventTime',
  'eventType',
  'project',
  'readOnly',
  'recipientAccountId',
  'requestID',
  'requestParameters',
  'responseElements',
  'sourceIPAddress',
  'userName',
];

describe('K2 switches: K2 member spelling, K2-only record fields, source IP for API calls', () => {
  // Not checked against the spec: EventID is K2's documented spelling, the spec has the AWS one.
  const emu = useEmulator({
    now: FROZEN_NOW,
    only: ['k2'],
    validateResponses: false,
    config: { k2: { k2MemberSpelling: true, k2OnlyEventFields: true, sourceIpForApiCalls: true } },
  });

  it('LookupEvents spells EventID and its records carry only K2 fields, including recorded calls with their source IP', async () => {
    const client = k2(emu, { 'x-forwarded-for': '198.51.100.7' });
    // This call is itself recorded; the next lookup sees it.
    expect((await client.lookupEvents({ MaxResults: 1 })).ok).toBe(true);
    const r = await client.raw('LookupEvents', JSON.stringify({ MaxResults: 50 }));
    expect(r.ok).toBe(true);
    const events = (r.body as { Events: Array<Record<string, unknown>> }).Events;
    expect(events.length).toBeGreaterThan(1);
    for (const ev of events) {
      expect(ev).toHaveProperty('EventID');
      expect(ev).not.toHaveProperty('EventId');
      const rec = JSON.parse(ev.CloudTrailEvent as string) as Record<string, unknown>;
      expect(rec.eventID).toBe(ev.EventID);
      expect(
        Object.keys(rec).every((k) => K2_FIELDS.includes(k)),
        Object.keys(rec).join(','),
      ).toBe(true);
      expect(rec).not.toHaveProperty('userIdentity');
    }
    const mine = events.find((ev) => ev.EventName === 'LookupEvents');
    expect(mine, 'the recorded LookupEvents call').toBeDefined();
    expect(JSON.parse(mine!.CloudTrailEvent as string).sourceIPAddress).toBe('198.51.100.7');
  });
});

describe('K2 defaults for the same switches', () => {
  const emu = useEmulator({ now: FROZEN_NOW, only: ['k2'] });

  it('AWS spelling, full records, and no source IP on API calls', async () => {
    const client = k2(emu, { 'x-forwarded-for': '198.51.100.7' });
    expect((await client.lookupEvents({ MaxResults: 1 })).ok).toBe(true);
    const r = await client.lookupEvents({ MaxResults: 50 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const mine = r.body.Events.find((ev) => ev.EventName === 'LookupEvents')!;
    expect(mine.EventId).toBeTruthy();
    const rec = JSON.parse(mine.CloudTrailEvent);
    expect(rec.userIdentity).toBeDefined();
    expect(rec.sourceIPAddress).toBeUndefined();
  });
});

describe('K2 switches are checked at start', () => {
  const start = (k2: Record<string, unknown>) => startEmulator({ portBase: 0, now: FROZEN_NOW, only: ['k2'], config: { k2 } });

  it("refuses a number out of K2's range, a wrong type and an unknown switch, naming it", async () => {
    await expect(start({ maxResultsLimit: 5000 })).rejects.toThrow(/'k2\.maxResultsLimit' must be <= 1000/);
    await expect(start({ retentionDays: 0 })).rejects.toThrow(/'k2\.retentionDays' must be >= 1/);
    await expect(start({ subscriptionActive: 'no' })).rejects.toThrow(/'k2\.subscriptionActive' must be boolean/);
    await expect(start({ allowedRegions: 'ru-msk' })).rejects.toThrow(/'k2\.allowedRegions' must be array/);
    await expect(start({ credentials: { accessKey: 'x' } })).rejects.toThrow(/unknown setting 'k2\.credentials\.accessKey'/);
    await expect(start({ maxResultLimit: 100 })).rejects.toThrow(/unknown setting 'k2\.maxResultLimit'/);
  });
});
