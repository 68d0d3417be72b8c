/**
 * The topology page in headless Chromium during a real `topo run --ui`: the DAG with its
 * edge labels, counters that rise without a reload, errors with the last message, one row
 * per worker thread; Ctrl-C still stops the run cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { assertBuilt, ROOT } from '../cli/run-cli.js';
import { hasChromium, launch, openPage, screenshot, startUiRun, warnIfNoChromium, type UiRun } from './browser.js';

// The callbacks given to page.evaluate/waitForFunction run in the browser, where these exist
// (the tests are compiled without the DOM library).
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

warnIfNoChromium('test/ui/topology-page.test.ts');

const num = async (page: Page, selector: string): Promise<number> => Number(await page.locator(selector).first().getAttribute('data-value'));

describe.skipIf(!hasChromium)('topology page during a run', () => {
  let browser: Browser;
  let run: UiRun;
  beforeAll(async () => {
    assertBuilt();
    run = await startUiRun([join(ROOT, 'test', 'ui', 'fixtures', 'steady.ts'), '-w', '2', '--metrics-interval', '1m']);
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await run?.stop('SIGKILL');
  });

  it('draws the DAG and shows counters rising live, errors and threads', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(run.url);
    await page.waitForFunction(() => Number(document.querySelector('[data-stat="acked"]')?.getAttribute('data-value')) > 0, null, { timeout: 60_000 });
    // The graph: nodes with parallelism, edges labelled by grouping and stream.
    await expect(page.locator('[data-node="check"]').textContent()).resolves.toContain('bolt ×2');
    await expect(page.locator('[data-node="ticker"]').textContent()).resolves.toContain('spout ×1');
    await expect(page.locator('[data-edge="check>tally"] .label').textContent()).resolves.toBe('fields(parity) · checked');

    const acked1 = await num(page, '[data-stat="acked"]');
    const executed1 = await num(page, '[data-component="tally"] [data-field="executed"]');
    // No reload: the page polls by itself.
    await page.waitForFunction((a) => Number(document.querySelector('[data-stat="acked"]')?.getAttribute('data-value')) > a, acked1, { timeout: 60_000 });
    await page.waitForFunction((e) => Number(document.querySelector('[data-component="tally"] [data-field="executed"]')?.getAttribute('data-value')) > e, executed1, { timeout: 60_000 });
    expect(await num(page, '[data-stat="acked"]')).toBeGreaterThan(acked1);

    // The failing bolt: errors, the last message, replays at the spout.
    await page.waitForFunction(() => Number(document.querySelector('[data-component="check"] [data-field="errors"]')?.getAttribute('data-value')) > 0, null, { timeout: 60_000 });
    await expect(page.locator('[data-component="check"] [data-field="lastError"]').textContent()).resolves.toMatch(/boom on tuple \d+/);
    await page.waitForFunction(() => Number(document.querySelector('[data-component="ticker"] [data-field="replayed"]')?.getAttribute('data-value')) > 0, null, { timeout: 60_000 });
    expect(await page.locator('#threads tbody tr').count()).toBe(2);
    // Capacity colours the bolt boxes (no longer the idle colour once measured).
    await page.waitForFunction(() => document.querySelector('[data-node="check"] .figure')?.textContent?.startsWith('cap '), null, { timeout: 30_000 });

    // The throwing bolt: "degraded" with the reason on the page, the bolt marked on the DAG,
    // the error history with time, component, task and the full text (stack included).
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'degraded', null, { timeout: 30_000 });
    expect(await page.locator('#status').getAttribute('data-status')).toBe('running');
    await expect(page.locator('#trouble').textContent()).resolves.toMatch(/'check' reported \d+ errors? in the last \d+ s; last: Error: boom on tuple \d+/);
    await page.locator('[data-node="check"].failing').waitFor({ timeout: 30_000 });
    await expect(page.locator('[data-node="check"] .trouble').textContent()).resolves.toMatch(/⚠ [\d.,]+ errors\/s/);
    expect(await page.locator('[data-node="tally"]').getAttribute('class')).toBe('node');
    const entry = page.locator('#errors tbody tr').first();
    await entry.waitFor({ timeout: 30_000 });
    await expect(entry.locator('[data-field="component"]').textContent()).resolves.toBe('check');
    expect(await entry.locator('[data-field="at"]').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    // The task is one of check's (the threads table lists each thread's tasks as component:task).
    const task = await entry.locator('[data-field="taskId"]').textContent();
    await expect(page.locator('#threads').textContent()).resolves.toContain(`check:${task}`);
    await entry.locator('summary').click();
    await expect(entry.locator('pre').textContent()).resolves.toMatch(/Error: boom on tuple \d+\n\s+at /);
    // Failed per bolt and on the chart.
    await page.waitForFunction(() => Number(document.querySelector('[data-component="check"] [data-field="failedPerSec"]')?.getAttribute('data-value')) > 0, null, { timeout: 30_000 });
    expect(await page.evaluate(() => window.topoDashboard.chart.series.map((s: { label: string }) => s.label))).toContain('failed/s');
    expect(await page.locator('[data-component="ticker"] [data-field="backpressure"]').getAttribute('data-value')).toMatch(/^(none|max-pending|congested)$/);

    // In place: rows, cells and an open error entry are the same elements refreshes later, and a
    // text selection in the table survives them.
    await page.evaluate(() => {
      window.keptRow = document.querySelector('[data-component="check"]');
      window.keptEntry = document.querySelector('#errors tbody tr');
      const cell = document.querySelector('[data-component="check"] [data-field="id"]');
      window.getSelection().selectAllChildren(cell);
    });
    const seen = await page.evaluate(() => window.topoDashboard.refreshes);
    await page.waitForFunction((n) => window.topoDashboard.refreshes >= n + 3, seen, { timeout: 30_000 });
    expect(await page.evaluate(() => window.keptRow === document.querySelector('[data-component="check"]'))).toBe(true);
    expect(await page.evaluate(() => window.keptEntry.isConnected && window.keptEntry.querySelector('details').open)).toBe(true);
    expect(await page.evaluate(() => window.getSelection().toString())).toBe('check');
    // The components table fits its panel at 1300 px: no sideways scroll.
    expect(await page.evaluate(() => { const s = document.querySelector('#components').parentElement; return s.scrollWidth - s.clientWidth; })).toBeLessThanOrEqual(0);
    // 24-hour UTC axis: labels like 14:05:10, never "2pm".
    const at = Date.UTC(2026, 0, 2, 14, 5, 10) / 1000;
    const labels = await page.evaluate((t) => { const u = window.topoDashboard.chart; return [u.axes[0].values(u, [t, t + 1], 0, 80, 1), u.axes[0].values(u, [t, t + 3600], 0, 80, 3600)]; }, at);
    expect(labels).toEqual([['01-02 14:05:10', '14:05:11'], ['01-02 14:05', '15:05']]);

    const shot = await screenshot(page, 'topology-page.png');
    process.stderr.write(`topology page screenshot: ${shot}\n`);
    expect(errors).toEqual([]);
  }, 180_000);

  it('the analytics page says why there is nothing to show for a topology without views', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${run.url}analytics`);
    await page.locator('#error').waitFor({ state: 'visible', timeout: 30_000 });
    await expect(page.locator('#error').textContent()).resolves.toMatch(/\/api\/views: 503 no serving layer: .*steady\.ts exports no views/);
  }, 60_000);

  it('Ctrl-C stops the run (drained, exit 0) instead of keeping the dashboard up', async () => {
    const r = await run.stop('SIGINT');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/SIGINT: stopping spouts and draining/);
    expect(r.stderr).not.toMatch(/dashboard still at/);
  }, 120_000);
});
