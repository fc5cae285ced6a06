import { isDeepStrictEqual } from 'node:util';
import type { FeedHooks } from '../servers/core/hooks.js';
import { providers } from '../servers/registry.js';

/** Where the emulator's control API listens unless told otherwise. */
export const DEFAULT_CONTROL = 'http://127.0.0.1:4100';
/** How many records of each category a report shows. */
const FIRST = 5;

export interface VerifyOptions {
  vendor: string;
  /** The feed's name; may be left out for a vendor with one feed. */
  feed?: string;
  /** The window the collector covered, ISO-8601, both ends included. */
  from: string;
  to: string;
  /** The emulator's control URL (default http://127.0.0.1:4100), or a world's (`…/_emulator/worlds/<id>`). */
  control?: string;
  /** The control port's token, when it requires one. */
  controlToken?: string;
  /** The records as the collector stored them. */
  records: unknown[];
  fetch?: typeof fetch;
}

export interface Category<T = unknown> {
  count: number;
  /** The first few, in the order met. */
  first: T[];
}

export interface VerifyReport {
  vendor: string;
  feed: string;
  from: string;
  to: string;
  /** The emulator clock when the truth was taken. */
  asOf: string;
  expected: number;
  collected: number;
  /** In the truth, never collected. */
  missing: Category;
  /** Collected more than once (each extra copy counts once). */
  duplicated: Category<{ identity: string; times: number }>;
  /** Collected with the truth's identity but other content (one per identity). */
  changed: Category<{ identity: string; expected: unknown; collected: unknown }>;
  /** Collected, but in no truth of the window. */
  unexpected: Category;
  /** True when all four categories are empty. */
  ok: boolean;
}

/** The feed's hooks and its resolved name; throws naming the vendors or feeds there are. */
export function feedOf(vendor: string, feed?: string): { feed: string; hooks: FeedHooks } {
  const p = providers.find((x) => x.id === vendor);
  if (!p?.hooks) throw new Error(`unknown vendor '${vendor}' (${providers.map((x) => x.id).join(', ')})`);
  const names = Object.keys(p.hooks.feeds);
  const name = feed ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined || !names.includes(name)) throw new Error(`${vendor} has the feeds ${names.join(', ')}: name one with --feed`);
  return { feed: name, hooks: p.hooks.feeds[name] };
}

/** JSON with keys sorted at every level: the identity of a record that has no id, and a stable key. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The record's identity: the vendor's id field, or the whole record where it has none. */
export function identityOf(hooks: FeedHooks, rec: unknown): string {
  const id = rec && typeof rec === 'object' ? hooks.identity?.(rec as Record<string, unknown>) : undefined;
  return id !== undefined ? `id:${id}` : `record:${canonicalJson(rec)}`;
}

const category = <T>(): Category<T> => ({ count: 0, first: [] });
function add<T>(c: Category<T>, item: T, n = 1): void {
  c.count += n;
  if (c.first.length < FIRST) c.first.push(item);
}
const shown = (identity: string) => identity.replace(/^(id|record):/, '');

/**
 * Compare a collector's records with the truth: what it missed, collected twice, collected in
 * another shape, or collected from nowhere. Pure: no network.
 */
export function compareWithTruth(hooks: FeedHooks, truth: unknown[], records: unknown[]) {
  const expected = new Map<string, unknown>();
  for (const r of truth) if (!expected.has(identityOf(hooks, r))) expected.set(identityOf(hooks, r), r);
  const seen = new Map<string, unknown[]>();
  for (const r of records) {
    const id = identityOf(hooks, r);
    const list = seen.get(id);
    if (list) list.push(r);
    else seen.set(id, [r]);
  }
  const report = {
    missing: category(),
    duplicated: category<{ identity: string; times: number }>(),
    changed: category<VerifyReport['changed']['first'][number]>(),
    unexpected: category(),
  };
  for (const [id, rec] of expected) if (!seen.has(id)) add(report.missing, rec);
  for (const [id, list] of seen) {
    if (list.length > 1) add(report.duplicated, { identity: shown(id), times: list.length }, list.length - 1);
    if (!expected.has(id)) {
      for (const r of list) add(report.unexpected, r);
      continue;
    }
    const other = list.find((r) => !isDeepStrictEqual(r, expected.get(id)));
    if (other !== undefined) add(report.changed, { identity: shown(id), expected: expected.get(id), collected: other });
  }
  return report;
}

/** Fetch the feed's truth from the emulator and compare the collector's records with it. */
export async function verifyCollected(o: VerifyOptions): Promise<VerifyReport> {
  const { feed, hooks } = feedOf(o.vendor, o.feed);
  const control = (o.control ?? DEFAULT_CONTROL).replace(/\/+$/, '');
  // A world's control URL is already the prefix of its routes.
  const routes = /\/_emulator\/worlds\/[^/]+$/.test(control) ? control : `${control}/_emulator`;
  const q = new URLSearchParams({ feed, from: o.from, to: o.to });
  const res = await (o.fetch ?? fetch)(`${routes}/providers/${encodeURIComponent(o.vendor)}/truth?${q}`, {
    headers: o.controlToken ? { authorization: `Bearer ${o.controlToken}` } : {},
  });
  const body = (await res.json()) as { error?: string; records: unknown[]; asOf: string; from: string; to: string };
  if (!res.ok) throw new Error(`the emulator refused the truth (${res.status}): ${body.error ?? JSON.stringify(body)}`);
  const c = compareWithTruth(hooks, body.records, o.records);
  const ok = c.missing.count + c.duplicated.count + c.changed.count + c.unexpected.count === 0;
  return { vendor: o.vendor, feed, from: body.from, to: body.to, asOf: body.asOf, expected: body.records.length, collected: o.records.length, ...c, ok };
}

/** The report as the CLI prints it: counts, then the first few of each category. */
export function formatReport(r: VerifyReport): string {
  const lines = [`${r.vendor} ${r.feed} ${r.from} .. ${r.to} (truth as of ${r.asOf})`, `  expected ${r.expected}, collected ${r.collected}`];
  for (const name of ['missing', 'duplicated', 'changed', 'unexpected'] as const) {
    const c = r[name];
    lines.push(`  ${name}: ${c.count}`);
    for (const item of c.first) lines.push(`    ${JSON.stringify(item)}`);
    if (c.count > c.first.length && name !== 'duplicated') lines.push(`    … and ${c.count - c.first.length} more`);
  }
  lines.push(r.ok ? 'OK: every record exactly once' : 'FAILED');
  return lines.join('\n');
}

/** A collector's file: JSON lines, or one JSON array. */
export function parseCollected(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown[];
  return trimmed
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        throw new Error(`line ${i + 1} is not JSON`);
      }
    });
}
