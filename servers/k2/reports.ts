import { randomUUID } from 'node:crypto';
import type { components } from '../../openapi/generated/k2-cloudtrail.js';
import { fail } from '../core/failure.js';
import { iso } from '../core/time.js';
import { reportQuery, type ReportQuery } from './query.js';
import type { CloudTrailRecord } from './records.js';
import type { K2Context, ReportState } from './state.js';

type Report = components['schemas']['Report'];

export const MAX_REPORTS = 5;
export const MAX_GENERATING = 2;
const DAY = 86_400_000;
const CSV_COLUMNS = ['eventTime', 'eventName', 'userName', 'project', 'readOnly', 'eventSource', 'sourceIPAddress', 'errorCode', 'eventID'] as const;

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Reports as K2's console keeps them: at most 5 kept (the oldest overwritten), 2 generating, 3 days each. */
export class Reports {
  constructor(private readonly ctx: K2Context) {}

  private get generationMs(): number {
    return this.ctx.settings.reportGenerationSeconds * 1000;
  }

  private get retentionMs(): number {
    return this.ctx.settings.reportRetentionDays * DAY;
  }

  private prune(now: number): ReportState[] {
    const st = this.ctx.state;
    st.reports = st.reports.filter((r) => now < r.createdAt + this.retentionMs);
    return st.reports;
  }

  private ready(r: ReportState, now: number): boolean {
    return now >= r.createdAt + this.generationMs;
  }

  view(r: ReportState, now = this.ctx.clock.now()): Report {
    const ready = this.ready(r, now);
    return {
      reportId: r.reportId,
      format: r.format,
      status: ready ? 'ready' : 'generating',
      createdAt: iso(r.createdAt),
      readyAt: ready ? iso(r.createdAt + this.generationMs) : null,
      expiresAt: iso(r.createdAt + this.retentionMs),
      filter: r.filter,
      eventCount: ready ? r.eventCount : null,
      sizeBytes: ready ? Buffer.byteLength(r.content) : null,
    };
  }

  list(): Report[] {
    const now = this.ctx.clock.now();
    return [...this.prune(now)].sort((a, b) => b.createdAt - a.createdAt).map((r) => this.view(r, now));
  }

  /** The report, or the console's NoSuchReport. */
  get(id: string): ReportState {
    return this.prune(this.ctx.clock.now()).find((r) => r.reportId === id) ?? fail.notFound(`No report with id '${id}'.`, { code: 'NoSuchReport' });
  }

  isReady(r: ReportState): boolean {
    return this.ready(r, this.ctx.clock.now());
  }

  /** A new report whose content is taken now, when generation starts. */
  create(body: unknown): Report {
    const now = this.ctx.clock.now();
    const q = reportQuery(body, now);
    const reports = this.prune(now);
    if (reports.filter((r) => !this.ready(r, now)).length >= MAX_GENERATING) {
      fail.badRequest(`At most ${MAX_GENERATING} reports can be generating at once.`, { code: 'TooManyReportsGenerating' });
    }
    const records = this.matching(q, now);
    const content =
      q.format === 'json'
        ? JSON.stringify(records)
        : [CSV_COLUMNS.join(','), ...records.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
    const filter = { startTime: iso(q.start), endTime: iso(q.end), ...q.match } as Report['filter'];
    const report: ReportState = { reportId: randomUUID(), format: q.format, createdAt: now, filter, eventCount: records.length, content };
    while (reports.length >= MAX_REPORTS) {
      const oldest = reports.reduce((a, x) => (x.createdAt < a.createdAt ? x : a));
      reports.splice(reports.indexOf(oldest), 1);
    }
    reports.push(report);
    return this.view(report, now);
  }

  private matching(q: ReportQuery, now: number): CloudTrailRecord[] {
    const { from, to } = this.ctx.store.clamp(q.start, q.end, now);
    const m = q.match;
    const records: CloudTrailRecord[] = [];
    for (const e of this.ctx.store.scan({ from, to, order: 'desc' })) {
      const r = e.rec.record;
      if (m.readOnly !== undefined && r.readOnly !== m.readOnly) continue;
      if (m.username !== undefined && r.userName !== m.username) continue;
      if (m.eventName !== undefined && r.eventName !== m.eventName) continue;
      if (m.project !== undefined && r.project !== m.project) continue;
      records.push(r);
    }
    return records;
  }
}
