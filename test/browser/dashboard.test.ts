import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FROZEN_NOW, useEmulator } from '../support/emulator.js';

/**
 * The dashboard in headless Chromium (Debian's /usr/bin/chromium) against a frozen-clock emulator.
 * Screenshots of each state go to artifacts/dashboard/ (git-ignored).
 */
const env = useEmulator({ now: FROZEN_NOW });
const ARTIFACTS = join(process.cwd(), 'artifacts', 'dashboard');
const run = promisify(execFile);

let context: BrowserContext;
let page: Page;
let profile: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.get().controlUrl });
  page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.get().controlUrl + '/');
  await page.waitForSelector('body[data-ready=true]');
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const rows = () => page.locator('#timeline li.event');
const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

/** Wait for the timeline to settle on the answer of the current filters. */
async function settled(): Promise<void> {
  await page.waitForSelector('#timeline[aria-busy=false]');
  await page.waitForFunction(() => document.querySelectorAll('#timeline li').length > 0);
}

describe('dashboard', () => {
  it('loads with the newest events of every vendor, the chart and the clock', async () => {
    await settled();
    const vendors = Object.keys(env.get().providers);
    await expect.poll(() => page.locator('#chart svg path').count()).toBe(vendors.length);
    const shown = await page.locator('#chart svg path title').allTextContents();
    expect(shown.sort()).toEqual([...vendors].sort());
    // The first page is exactly the API's first page of the same query.
    const from = new Date(Date.parse(FROZEN_NOW) - 86_400_000).toISOString();
    const api = await (await fetch(`${env.get().controlUrl}/_emulator/timeline?limit=50&from=${from}`)).json();
    await expect
      .poll(async () => await rows().evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id)))
      .toEqual(api.events.map((e: { id: string }) => e.id));
    await expect(page.locator('#clock-now').textContent()).resolves.toContain('2026-03-10 10:00:00');
    for (const v of vendors) await expect(page.locator(`#vendor-filter input[value="${v}"]`).isChecked()).resolves.toBe(true);
    await shot('01-loaded');
  });

  it('narrows the list with filters and shows a person across vendors', async () => {
    await page.selectOption('#f-outcome', 'failure');
    await page.selectOption('#f-range', String(7 * 86_400_000));
    await expect.poll(async () => (await rows().allTextContents()).every((t) => t.includes('failure'))).toBe(true);
    expect(await rows().count()).toBeGreaterThan(0);
    await shot('02-filter-failures');
    await page.selectOption('#f-outcome', '');
    await settled();

    // Click an actor: the person's page lists only that person, across whatever vendors they use.
    const emails = new Set(env.get().company.people.map((p) => p.email.toLowerCase()));
    const actors = await rows().locator('.actor').allTextContents();
    const index = actors.findIndex((a) => emails.has(a.toLowerCase()));
    expect(index).toBeGreaterThanOrEqual(0);
    const actor = actors[index];
    await page.locator('#timeline .actor', { hasText: actor }).first().click();
    await expect.poll(() => page.locator('#person-card').isVisible()).toBe(true);
    const email = await page.locator('#f-person').inputValue();
    const api = await (
      await fetch(
        `${env.get().controlUrl}/_emulator/timeline?limit=50&actor=${encodeURIComponent(email)}&from=${new Date(Date.parse(FROZEN_NOW) - 7 * 86_400_000).toISOString()}`,
      )
    ).json();
    expect(api.events.length).toBeGreaterThan(0);
    // Vendors name the actor differently (email, user name, the person's id): all are this one person.
    const person = env.get().company.people.find((p) => p.email === email)!;
    expect([person.email, person.username, person.name, person.id].map((k) => k.toLowerCase())).toContain(actor.toLowerCase());
    for (const e of api.events as Array<{ actor: string }>) {
      const a = e.actor.toLowerCase();
      const local = a.includes('@') ? a.split('@')[0] : undefined;
      const same =
        [person.email, person.username, person.name, person.id].some((k) => k.toLowerCase() === a) ||
        a.includes(person.email.toLowerCase()) ||
        local === person.username.toLowerCase() ||
        local === person.email.split('@')[0].toLowerCase();
      expect(same, e.actor).toBe(true);
    }
    await expect
      .poll(async () => await rows().evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id)))
      .toEqual(api.events.map((e: { id: string }) => e.id));
    await expect(page.locator('#person-counts').textContent()).resolves.toMatch(/events by vendor/);
    await shot('03-person');

    // Dropping a vendor removes its rows.
    await page.click('#f-clear');
    await page.selectOption('#f-range', String(7 * 86_400_000));
    await page.uncheck('#vendor-filter input[value="crusoe"]');
    await expect.poll(async () => (await rows().evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.vendor))).includes('crusoe')).toBe(false);
    await page.click('#f-clear');
  });

  it('opens an event to its raw record exactly as the vendor API returns it', async () => {
    await settled();
    const first = rows().first();
    const vendor = (await first.getAttribute('data-vendor'))!;
    const id = (await first.getAttribute('data-id'))!;
    await first.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#ev-raw').textContent()).not.toBe('Loading…');
    await page.click('#ev-pretty'); // raw, as sent
    const raw = await (await fetch(`${env.get().controlUrl}/_emulator/events/${vendor}/${encodeURIComponent(id)}`)).text();
    expect(await page.locator('#ev-raw').textContent()).toBe(raw);
    await page.click('#ev-pretty');
    await shot('04-event');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#event-dialog').isVisible()).toBe(false);
  });

  it('advancing the clock moves the timeline', async () => {
    await settled();
    const before = (await rows().first().locator('time').getAttribute('datetime'))!;
    await page.click('[data-advance="P1D"]');
    await expect.poll(() => page.locator('#clock-now').textContent()).toContain('2026-03-11 10:00:00');
    await expect.poll(async () => Date.parse((await rows().first().locator('time').getAttribute('datetime'))!)).toBeGreaterThan(Date.parse(before));
    const newest = Date.parse((await rows().first().locator('time').getAttribute('datetime'))!);
    expect(newest).toBeLessThanOrEqual(Date.parse('2026-03-11T10:00:00Z'));
    await shot('05-clock-advanced');
    await page.click('#reset');
    await expect.poll(() => page.locator('#clock-now').textContent()).toContain('2026-03-10 10:00:00');
  });

  it('a copied snippet, run as a command, succeeds, and the request log shows it and a refusal', async () => {
    await page.click('#tab-vendors');
    const card = page.locator('.vendor-card[data-vendor="crusoe"]');
    await card.locator('.copy-snippet').first().click();
    const snippet = await page.evaluate(() => navigator.clipboard.readText());
    expect(snippet).toContain(env.get().providers.crusoe.baseUrl);
    await shot('06-vendors');
    const { stdout } = await run('bash', ['-c', snippet], { timeout: 20_000 });
    expect(stdout).toMatch(/^200 \{"items":\[/);

    // Every other vendor's snippets run too (curl, a login then a call, the AWS CLI).
    for (const id of Object.keys(env.get().providers).filter((v) => v !== 'crusoe')) {
      const buttons = page.locator(`.vendor-card[data-vendor="${id}"] .copy-snippet`);
      expect(await buttons.count(), id).toBeGreaterThan(0);
      for (let i = 0; i < (await buttons.count()); i++) {
        await buttons.nth(i).click();
        const code = await page.evaluate(() => navigator.clipboard.readText());
        expect(code, id).toContain(env.get().providers[id].baseUrl);
        const out = await run('bash', ['-c', code], { timeout: 30_000 }).catch((err) => ({ stdout: '', stderr: String(err) }));
        expect(out.stderr, `${id} snippet:\n${code}`).toBe('');
        expect(out.stdout.length, id).toBeGreaterThan(0);
      }
    }

    // A request with a wrong signature: the log gives the reason and the canonical string.
    const c = env.get().providers.crusoe.credentials as { accessKeyId: string; organizationId: string };
    await fetch(`${env.get().providers.crusoe.baseUrl}/v1alpha5/organizations/${c.organizationId}/audit-logs`, {
      headers: { 'X-Crusoe-Timestamp': new Date().toISOString().replace(/\.\d+Z$/, 'Z'), Authorization: `Bearer 1.0:${c.accessKeyId}:AAAA` },
    });
    await page.click('#tab-requests');
    await page.selectOption('#r-vendor', 'crusoe');
    const log = page.locator('#requests tr');
    // The table first shows every vendor, then re-renders once the vendor filter's answer is in.
    const firstTwo = async () => (await log.allTextContents()).slice(0, 2);
    await expect
      .poll(async () => {
        const [refused, served] = await firstTwo();
        return /401.*signature mismatch/.test(refused ?? '') && /GET \/v1alpha5\/organizations\/.*\/audit-logs200/.test(served ?? '');
      })
      .toBe(true);
    await log.nth(0).locator('summary').click();
    await expect(log.nth(0).locator('pre').textContent()).resolves.toMatch(/^\/v1alpha5\/organizations\/.*\/audit-logs\n\nGET\n/);
    await shot('07-request-log');
    await page.click('#tab-timeline');
  });

  it('applying the brute-force scenario shows its events highlighted within 2 seconds', async () => {
    await page.click('#f-clear');
    await settled();
    const form = page.locator('form[data-scenario="brute-force-login"]');
    await form.waitFor({ timeout: 5_000 });
    await form.locator('button[type=submit]').click();
    await page.locator('#timeline li.event.injected').first().waitFor({ timeout: 2_000 });
    const injected = await page.locator('#timeline li.event').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.injected));
    expect(injected.length).toBeGreaterThan(0);
    expect(injected.every((v) => v === 'true')).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('08-scenario');
  });

  it("switches to another world with the world selector, showing that world's clock and events", async () => {
    const made = await (
      await fetch(`${env.get().controlUrl}/_emulator/worlds`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'other', now: '2026-01-05T08:00:00Z' }),
      })
    ).json();
    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    await expect.poll(() => page.locator('#world option').allTextContents()).toEqual(['default', `other (${made.id})`]);
    await page.selectOption('#world', made.id);
    await page.waitForURL(`**/?world=${made.id}`);
    await page.waitForSelector('body[data-ready=true]');
    await expect(page.locator('#clock-now').textContent()).resolves.toContain('2026-01-05 08:00:00');
    await settled();
    const api = await (await fetch(`${made.controlUrl}/timeline?limit=50&from=2026-01-04T08:00:00.000Z`)).json();
    expect(api.events.length).toBeGreaterThan(0);
    await expect
      .poll(async () => await rows().evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id)))
      .toEqual(api.events.map((e: { id: string }) => e.id));
    await shot('07-other-world');
    await page.selectOption('#world', 'default');
    await page.waitForSelector('body[data-ready=true]');
    await expect(page.locator('#clock-now').textContent()).resolves.toContain('2026-03-10');
  });

  it('is usable on a phone-sized window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForSelector('body[data-ready=true]');
    await settled();
    // Filters start folded, so the newest events are on the first screen.
    expect(await page.locator('#filters-box').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    const box = await rows().first().boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(844);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('09-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
