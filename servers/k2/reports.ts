import { randomUUID } from 'node:crypto';
import type { ProviderContext } from '../core/provider.js';
import { iso, parseTime } from '../core/time.js';
import type { CloudTrailRecord, K2Event } from './events.js';
import type { K2State, ReportState } from './trails.js';

export const MAX_REPORTS = 5;
export const MAX_GENERATING = 2;
const DAY = 86_400_000;
const CSV_COLUMNS = ['eventTime', 'eventName', 'userName', 'project', 'readOnly', 'eventSource', 'sourceIPAddress', 'errorCode', 'eventID'] as const;

export interface ReportSettings {
  generationMs: number;
  retentionMs: number;
}

export type ReportCreate = { ok: true; report: Record<string, unknown> } | { ok: false; status: 400 | 409; error: string; message: string };

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Reports of section 6.4: at most 5 kept (the oldest overwritten), 2 generating, 3 days each. */
export class Reports {
  constructor(
    private readonly ctx: ProviderContext<K2Event>,
    private readonly state: () => K2State,
    private readonly settings: ReportSettings,
  ) {}

  private prune(now: number): ReportState[] {
    const st = this.state();
    st.reports = st.reports.filter((r) => now < r.createdAt + this.settings.retentionMs);
    return st.reports;
  }

  private ready(r: ReportState, now: number): boolean {
    return now >= r.createdAt + this.settings.generationMs;
  }

  view(r: ReportState, now = this.ctx.clock.now()): Record<string, unknown> {
    const ready = this.ready(r, now);
    return {
      reportId: r.reportId,
      format: r.format,
      status: ready ? 'ready' : 'generating',
      createdAt: iso(r.createdAt),
      readyAt: ready ? iso(r.createdAt + this.settings.generationMs) : null,
      expiresAt: iso(r.createdAt + this.settings.retentionMs),
      filter: r.filter,
      eventCount: ready ? r.eventCount : null,
      sizeBytes: ready ? Buffer.byteLength(r.content) : null,
    };
  }

  list(): Record<string, unknown>[] {
    const now = this.ctx.clock.now();
    return [...this.prune(now)].sort((a, b) => b.createdAt - a.createdAt).map((r) => this.view(r, now));
  }

  get(id: string): ReportState | undefined {
    return this.prune(this.ctx.clock.now()).find((r) => r.reportId === id);
  }

  isReady(r: ReportState): boolean {
    return this.ready(r, this.ctx.clock.now());
  }

  create(body: unknown): ReportCreate {
    const bad = (message: string): ReportCreate => ({ ok: false, status: 400, error: 'InvalidParameter', message });
    if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('body must be a JSON object');
    const b = body as Record<string, unknown>;
    const known = ['format', 'startTime', 'endTime', 'readOnly', 'username', 'eventName', 'project'];
    const unknown = Object.keys(b).find((k) => !known.includes(k));
    if (unknown) return bad(`unknown field '${unknown}'`);
    if (b.format !== 'csv' && b.format !== 'json') return bad("field 'format' must be 'csv' or 'json'");
    const now = this.ctx.clock.now();
    const time = (k: string, dflt: number): number | null => {
      if (b[k] === undefined) return dflt;
      return typeof b[k] === 'string' ? parseTime(b[k] as string) : null;
    };
    const start = time('startTime', now - DAY);
    if (start === null) return bad("field 'startTime' must be an ISO-8601 instant");
    const end = time('endTime', now);
    if (end === null) return bad("field 'endTime' must be an ISO-8601 instant");
    if (start > end) return bad("field 'startTime' must not be after 'endTime'");
    if (b.readOnly !== undefined && typeof b.readOnly !== 'boolean') return bad("field 'readOnly' must be true or false");
    for (const k of ['username', 'eventName', 'project']) {
      if (b[k] !== undefined && (typeof b[k] !== 'string' || b[k] === '')) return bad(`field '${k}' must be a non-empty string`);
    }
    const reports = this.prune(now);
    if (reports.filter((r) => !this.ready(r, now)).length >= MAX_GENERATING) {
      return { ok: false, status: 409, error: 'TooManyReportsGenerating', message: `At most ${MAX_GENERATING} reports can be generating at once.` };
    }
    const filter: Record<string, unknown> = { startTime: iso(start), endTime: iso(end) };
    for (const k of ['readOnly', 'username', 'eventName', 'project']) if (b[k] !== undefined) filter[k] = b[k];
    // The content is taken when generation starts.
    const { from, to } = this.ctx.store.clamp(start, end, now);
    const records: CloudTrailRecord[] = [];
    for (const e of this.ctx.store.scan({ from, to, order: 'desc' })) {
      const r = e.rec.record;
      if (b.readOnly !== undefined && r.readOnly !== b.readOnly) continue;
      if (b.username !== undefined && r.userName !== b.username) continue;
      if (b.eventName !== undefined && r.eventName !== b.eventName) continue;
      if (b.project !== undefined && r.project !== b.project) continue;
      records.push(r);
    }
    const content =
      b.format === 'json'
        ? JSON.stringify(records)
        : [CSV_COLUMNS.join(','), ...records.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
    const report: ReportState = { reportId: randomUUID(), format: b.format, createdAt: now, filter, eventCount: records.length, content };
    while (reports.length >= MAX_REPORTS) {
      const oldest = reports.reduce((a, x) => (x.createdAt < a.createdAt ? x : a));
      reports.splice(reports.indexOf(oldest), 1);
    }
    reports.push(report);
    return { ok: true, report: this.view(report, now) };
  }
}
