/**
 * The analytics page in headless Chromium over `topo run topologies/pageviews.ts --ui` on
 * the shipped log: the chart's numbers, the top URLs and the bounce rate equal what
 * `topo query`/`topo top` answer; after `topo batch` publishes, the page shows the
 * watermark without a reload and still agrees; a malformed range shows the server's reason.
 * The run completes in seconds and the dashboard stays up until Ctrl-C.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertBuilt, tempDir, topo } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { hasChromium, launch, openPage, screenshot, startUiRun, warnIfNoChromium, type UiRun } from './browser.js';
import { waitForOutput } from '../cli/run-cli.js';

// The callbacks given to page.evaluate/waitForFunction run in the browser, where these exist
// (the tests are compiled without the DOM library).
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

warnIfNoChromium('test/ui/analytics-page.test.ts');

const URL_KEY = 'http://semicomplete.com/';
const FROM = '2015-05-17';
const TO = '2015-05-20T23:59Z';

interface Bucket { start: string; value: number; source: string }
interface QueryJson { key: string; from: string; to: string; value: unknown; buckets: Bucket[]; watermark: string | null }

describe.skipIf(!hasChromium)('analytics page', () => {
  let redis: RedisServer;
  let master: { dir: string; remove: () => void };
  let browser: Browser;
  let run: UiRun;
  const cli = async (args: string[]): Promise<unknown> => {
    const r = await topo([...args, '--redis', redis.url], 120_000);
    if (r.code !== 0) throw new Error(`topo ${args.join(' ')} exited ${r.code}\n${r.stderr}`);
    return JSON.parse(r.stdout.trimEnd().split('\n').pop()!);
  };
  const query = (view: string, key: string) => cli(['query', view, key, '--from', FROM, '--to', TO, '--json']) as Promise<QueryJson>;

  beforeAll(async () => {
    assertBuilt();
    redis = await startRedis();
    master = tempDir('ui-master');
    run = await startUiRun(['topologies/pageviews.ts', '--redis', redis.url, '-c', `master=${master.dir}`, '-q']);
    await waitForOutput(run.out, (s) => /dashboard still at/.test(s), 150_000);
    browser = await launch();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await run?.stop('SIGKILL');
    await redis?.dispose();
    master?.remove();
  });

  /** What the page drew: the chart's own data arrays and the tables' figures. */
  const drawn = (page: Page) => page.evaluate(() => {
    const d = (window as unknown as { topoDashboard: { chart: { data: number[][] }; answers: { pageviews: { watermark: string | null } } } }).topoDashboard;
    const rows = (sel: string, key: string) => [...document.querySelectorAll(sel)].map((tr) => ({ key: tr.getAttribute(key), cells: [...tr.querySelectorAll('[data-field]')].map((td) => [td.getAttribute('data-field'), td.textContent]) }));
    return { x: d.chart.data[0]!, pageviews: d.chart.data[1]!, uniques: d.chart.data[2]!, watermark: d.answers.pageviews.watermark,
      top: rows('#top tbody tr', 'data-url'), bounces: rows('#bounces tbody tr', 'data-domain'), badge: document.getElementById('watermark')!.textContent };
  });

  async function expectSameAsCli(page: Page): Promise<QueryJson> {
    const [pv, uq, top, bounce] = await Promise.all([
      query('pageviews', URL_KEY), query('uniques', URL_KEY),
      cli(['top', 'pageviews', '--from', FROM, '--to', TO, '-n', '10', '--json']) as Promise<{ top: Array<{ key: string; score: number }> }>,
      query('bounces', 'semicomplete.com') as Promise<QueryJson & { value: { visits: number; bounces: number; rate: number } }>,
    ]);
    const d = await drawn(page);
    expect(d.x).toEqual(pv.buckets.map((b) => Date.parse(b.start) / 1000));
    expect(d.pageviews).toEqual(pv.buckets.map((b) => b.value));
    expect(d.uniques).toEqual(uq.buckets.map((b) => b.value));
    expect(d.pageviews.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(d.watermark).toBe(pv.watermark);
    expect(d.top.map((r) => [r.key, Number(r.cells[0]![1]!.replace(/,/g, ''))])).toEqual(top.top.map((e) => [e.key, e.score]));
    const row = d.bounces.find((r) => r.key === 'semicomplete.com')!;
    expect(Object.fromEntries(row.cells)).toEqual({
      visits: bounce.value.visits.toLocaleString('en-US'), bounces: bounce.value.bounces.toLocaleString('en-US'), rate: `${(bounce.value.rate * 100).toFixed(1)}%`,
    });
    return pv;
  }

  it('draws what topo query and topo top answer, and the batch watermark once a batch is published (no reload)', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${run.url}analytics?from=${FROM}&to=${encodeURIComponent(TO)}&url=${encodeURIComponent(URL_KEY)}`);
    await page.waitForFunction(() => (window as unknown as { topoDashboard: { refreshes: number } }).topoDashboard.refreshes >= 1, null, { timeout: 60_000 });
    const before = await expectSameAsCli(page);
    expect(before.watermark).toBeNull();
    expect((await drawn(page)).badge).toMatch(/no batch yet/);

    await cli(['batch', 'topologies/pageviews.ts', '--master', master.dir, '--threads', '1', '--json', '-q']);
    await page.waitForFunction(() => (window as unknown as { topoDashboard: { answers: { pageviews?: { watermark: string | null } } } }).topoDashboard.answers.pageviews?.watermark != null, null, { timeout: 60_000 });
    const after = await expectSameAsCli(page);
    expect(after.watermark).not.toBeNull();
    expect(after.buckets.some((b) => b.source === 'batch')).toBe(true);
    expect((await drawn(page)).badge).toBe(`batch watermark ${after.watermark!.slice(0, 16).replace('T', ' ')}`);
    const shot = await screenshot(page, 'analytics-page.png');
    process.stderr.write(`analytics page screenshot: ${shot}\n`);
    expect(errors).toEqual([]);
  }, 240_000);

  it('refreshes only the submitted range: a half-typed field is not asked for until Show', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${run.url}analytics?from=${FROM}&to=${encodeURIComponent(TO)}&url=${encodeURIComponent(URL_KEY)}`);
    const refreshes = () => page.evaluate(() => (window as unknown as { topoDashboard: { refreshes: number; errors: number } }).topoDashboard);
    await page.waitForFunction(() => (window as unknown as { topoDashboard: { refreshes: number } }).topoDashboard.refreshes >= 1, null, { timeout: 60_000 });
    const before = await drawn(page);
    await page.locator('input[name="from"]').fill('2015-05-');
    const seen = (await refreshes()).refreshes;
    // Live refreshes go on (every 2 s) with the range last shown: no 400, same figures.
    await page.waitForFunction((n) => (window as unknown as { topoDashboard: { refreshes: number } }).topoDashboard.refreshes >= n + 2, seen, { timeout: 30_000 });
    expect((await refreshes()).errors).toBe(0);
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect((await drawn(page)).pageviews).toEqual(before.pageviews);
    // 24-hour UTC labels on the hourly axis.
    const at = Date.UTC(2015, 4, 18, 13, 0) / 1000;
    const labels = await page.evaluate((t) => { const u = (window as unknown as { topoDashboard: { chart: any } }).topoDashboard.chart; return u.axes[0].values(u, [t, t + 3600 * 4], 0, 90, 3600 * 4); }, at); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(labels).toEqual(['05-18 13:00', '17:00']);
    // Submitted, the half-typed value is asked for and the server's reason shown.
    await page.locator('button[type="submit"]').click();
    await page.locator('#error').waitFor({ state: 'visible', timeout: 30_000 });
    await expect(page.locator('#error').textContent()).resolves.toMatch(/400 from: '2015-05-' is not an ISO date-time/);
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  }, 120_000);

  it('shows the reason of a 400 for a malformed range', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${run.url}analytics?from=yesterday`);
    await page.locator('#error').waitFor({ state: 'visible', timeout: 30_000 });
    await expect(page.locator('#error').textContent()).resolves.toMatch(/\/api\/top: 400 from: 'yesterday' is not an ISO date-time/);
  }, 60_000);

  it('stays up after the run completed until Ctrl-C, then exits 0', async () => {
    expect(run.out.stderr).toMatch(/run completed; dashboard still at http:\/\/127\.0\.0\.1:\d+\/ui\/, Ctrl-C to exit/);
    const r = await run.stop('SIGINT');
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);
});
