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
    await expect(page.locator('[data-edge="check>tally"]').textContent()).resolves.toBe('fields(parity) · checked');

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
    await expect(page.locator('#status').textContent()).resolves.toBe('running');
    // Capacity colours the bolt boxes (no longer the idle colour once measured).
    await page.waitForFunction(() => document.querySelector('[data-node="check"] .figure')?.textContent?.startsWith('cap '), null, { timeout: 30_000 });

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
