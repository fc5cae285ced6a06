import type { components, operations } from '../../openapi/generated/crusoe.js';
import { signRequest } from '../../servers/crusoe/signature.js';

export type LogEntry = components['schemas']['LogEntry'];
export type AuditLogsPage = components['schemas']['AuditLogsGetResponse'];
export type ErrorBody = components['schemas']['ErrorBody'];
export type AuditLogQuery = NonNullable<operations['getAuditLogs']['parameters']['query']>;

export interface CrusoeClientOptions {
  baseUrl: string;
  accessKeyId: string;
  secretKey: string;
  organizationId: string;
  /** 'v1alpha5' (default) or 'v1'. */
  version?: 'v1alpha5' | 'v1';
  fetch?: typeof fetch;
}

export type CrusoeResult =
  { ok: true; status: 200; body: AuditLogsPage; response: Response } | { ok: false; status: number; body: ErrorBody; response: Response };

/** Encode as the official Go client does: sorted keys, form escaping, arrays joined with commas. */
export function encodeQuery(q: AuditLogQuery): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(q).sort()) {
    const v = (q as Record<string, unknown>)[key];
    if (v === undefined) continue;
    params.append(key, Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : JSON.stringify(v));
  }
  return params.toString();
}

/** A typed client for Crusoe's audit logs that signs every request (signature v1.0). */
export class CrusoeClient {
  constructor(private readonly opts: CrusoeClientOptions) {}

  async getAuditLogs(query: AuditLogQuery = {}, init: { timestamp?: string; organizationId?: string } = {}): Promise<CrusoeResult> {
    const path = `/${this.opts.version ?? 'v1alpha5'}/organizations/${init.organizationId ?? this.opts.organizationId}/audit-logs`;
    const qs = encodeQuery(query);
    const headers = signRequest({
      accessKeyId: this.opts.accessKeyId,
      secretKey: this.opts.secretKey,
      method: 'GET',
      path,
      query: qs,
      timestamp: init.timestamp,
    });
    const response = await (this.opts.fetch ?? fetch)(`${this.opts.baseUrl}${path}${qs ? `?${qs}` : ''}`, {
      headers: { ...headers, Accept: 'application/json' },
    });
    const body = await response.clone().json();
    return response.status === 200 ? { ok: true, status: 200, body, response } : { ok: false, status: response.status, body, response };
  }

  /** Every entry in the window, following next_page_token (an `offset` applies to the first page only). */
  async *entries(query: AuditLogQuery = {}): AsyncGenerator<LogEntry> {
    let q: AuditLogQuery = { ...query };
    for (;;) {
      const r = await this.getAuditLogs(q);
      if (!r.ok) throw new Error(`crusoe ${r.status}: ${r.body.message}`);
      yield* r.body.items;
      if (!r.body.next_page_token) return;
      // The server refuses `offset` beside a page token: the token already continues after the skipped entries.
      q = { ...query, offset: undefined, next_token: r.body.next_page_token };
    }
  }
}
