import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { components } from '../../openapi/generated/k2-cloudtrail.js';

type S = components['schemas'];
export type ErrorBody = S['ErrorBody'];
export type LookupEventsRequest = S['LookupEventsRequest'];
export type LookupEventsResponse = S['LookupEventsResponse'];
export type K2EventItem = S['Event'];
export type CloudTrailRecord = S['CloudTrailRecord'];
export type CreateTrailRequest = S['CreateTrailRequest'];
export type UpdateTrailRequest = S['UpdateTrailRequest'];
export type TrailOutput = S['CreateTrailResponse'];
export type Trail = S['Trail'];
export type TrailStatus = S['GetTrailStatusResponse'];
export type Report = S['Report'];
export type ReportRequest = S['ReportRequest'];

/** Outputs per operation, as the spec describes them. */
export interface Operations {
  LookupEvents: [LookupEventsRequest, LookupEventsResponse];
  CreateTrail: [CreateTrailRequest, TrailOutput];
  UpdateTrail: [UpdateTrailRequest, TrailOutput];
  DeleteTrail: [S['TrailNameRequest'], S['EmptyResponse']];
  StartLogging: [S['TrailNameRequest'], S['EmptyResponse']];
  StopLogging: [S['TrailNameRequest'], S['EmptyResponse']];
  GetTrail: [S['TrailNameRequest'], S['GetTrailResponse']];
  GetTrailStatus: [S['TrailNameRequest'], TrailStatus];
  DescribeTrails: [S['DescribeTrailsRequest'], S['DescribeTrailsResponse']];
  ListTrails: [S['ListTrailsRequest'], S['ListTrailsResponse']];
}

export type K2Result<T> = { ok: true; status: 200; body: T; response: Response } | { ok: false; status: number; body: ErrorBody; response: Response };

export interface K2ClientOptions {
  baseUrl: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
  fetch?: typeof fetch;
}

export interface SignOptions {
  /** Sign as of this instant (default now). */
  signingDate?: Date;
  /** X-Amz-Target prefix (default the JS SDK's `CloudTrail_20131101`). */
  targetPrefix?: string;
  /** Send this raw body instead of JSON.stringify(input). */
  rawBody?: string;
  /** Change headers after signing (e.g. to tamper with the signature). */
  after?: (headers: Record<string, string>) => void;
}

/**
 * A typed client for K2's CloudTrail JSON 1.1 API, the S3 archive reads and the console routes.
 * Requests are signed with @smithy/signature-v4, as the AWS SDKs sign them.
 */
export class K2Client {
  constructor(private readonly opts: K2ClientOptions) {}

  private async signed(
    method: string,
    path: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    body: string,
    service: string,
    signingDate?: Date,
  ) {
    const url = new URL(this.opts.baseUrl);
    const signer = new SignatureV4({
      service,
      region: this.opts.region ?? 'ru-msk',
      credentials: { accessKeyId: this.opts.accessKeyId, secretAccessKey: this.opts.secretAccessKey },
      sha256: Sha256,
      uriEscapePath: service !== 's3',
    });
    const req = await signer.sign(
      {
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path,
        query,
        headers: { host: url.host, ...headers },
        body: body || undefined,
      },
      { signingDate },
    );
    return req.headers as Record<string, string>;
  }

  async call<K extends keyof Operations>(op: K, input: Operations[K][0], o: SignOptions = {}): Promise<K2Result<Operations[K][1]>> {
    return this.raw(op, o.rawBody ?? JSON.stringify(input), o) as Promise<K2Result<Operations[K][1]>>;
  }

  /** Any operation name and body (for unknown operations and malformed input). */
  async raw(op: string, body: string, o: SignOptions = {}): Promise<K2Result<unknown>> {
    const headers = await this.signed(
      'POST',
      '/',
      {},
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${o.targetPrefix ?? 'CloudTrail_20131101'}.${op}` },
      body,
      'cloudtrail',
      o.signingDate,
    );
    o.after?.(headers);
    delete headers.host;
    const response = await (this.opts.fetch ?? fetch)(`${this.opts.baseUrl}/`, { method: 'POST', headers, body });
    const parsed = await response.clone().json();
    return response.status === 200 ? { ok: true, status: 200, body: parsed, response } : { ok: false, status: response.status, body: parsed, response };
  }

  lookupEvents(input: LookupEventsRequest = {}, o?: SignOptions) {
    return this.call('LookupEvents', input, o);
  }

  /** Every event of a lookup, following NextToken. */
  async *events(input: LookupEventsRequest = {}): AsyncGenerator<K2EventItem> {
    let req = { ...input };
    for (;;) {
      const r = await this.lookupEvents(req);
      if (!r.ok) throw new Error(`k2 ${r.status}: ${r.body.__type} ${r.body.message}`);
      yield* r.body.Events;
      if (!r.body.NextToken) return;
      req = { ...input, NextToken: r.body.NextToken };
    }
  }

  /** A signed S3 GET or HEAD (service `s3`, path-style). */
  async s3(method: 'GET' | 'HEAD', path: string, query: Record<string, string> = {}): Promise<Response> {
    const headers = await this.signed(method, path, query, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, '', 's3');
    delete headers.host;
    const qs = new URLSearchParams(query).toString();
    return (this.opts.fetch ?? fetch)(`${this.opts.baseUrl}${path}${qs ? `?${qs}` : ''}`, { method, headers });
  }
}

/** The console routes (no authentication). */
export class K2Console {
  constructor(
    private readonly baseUrl: string,
    private readonly customer: string,
  ) {}

  private async req<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const r = await fetch(`${this.baseUrl}/_console/k2/customers/${this.customer}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: (text && /json/.test(r.headers.get('content-type') ?? '') ? JSON.parse(text) : text) as T };
  }

  subscription(active?: boolean) {
    return active === undefined
      ? this.req<{ active: boolean }>('GET', '/activity-log/subscription')
      : this.req<{ active: boolean }>('PUT', '/activity-log/subscription', { active });
  }
  buckets() {
    return this.req<{ buckets: Array<S['Bucket']> }>('GET', '/buckets');
  }
  createBucket(name: string) {
    return this.req<S['Bucket']>('PUT', `/buckets/${name}`);
  }
  deleteBucket(name: string) {
    return this.req<unknown>('DELETE', `/buckets/${name}`);
  }
  createReport(body: ReportRequest | string) {
    return this.req<Report | { error: string; message: string }>('POST', '/activity-log/reports', body);
  }
  reports() {
    return this.req<{ reports: Report[] }>('GET', '/activity-log/reports');
  }
  report(id: string) {
    return this.req<Report | { error: string; message: string }>('GET', `/activity-log/reports/${id}`);
  }
  content(id: string) {
    return this.req<unknown>('GET', `/activity-log/reports/${id}/content`);
  }
}
