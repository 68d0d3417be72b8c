/**
 * A spout held back at maxSpoutPending, then a run that ends "incomplete" (stopped with trees
 * that never completed): backpressure shown on the component and the graph while it runs; the
 * dashboard stays up, its badge says incomplete (not green) and the page says why, as stderr does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { assertBuilt, ROOT, waitForOutput } from '../cli/run-cli.js';
import { hasChromium, launch, openPage, screenshot, startUiRun, warnIfNoChromium, type UiRun } from './browser.js';

declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const getComputedStyle: any; // eslint-disable-line @typescript-eslint/no-explicit-any

warnIfNoChromium('test/ui/ended-run.test.ts');

describe.skipIf(!hasChromium)('a run that ended incomplete', () => {
  let browser: Browser;
  let run: UiRun;
  beforeAll(async () => {
    assertBuilt();
    run = await startUiRun([join(ROOT, 'test', 'ui', 'fixtures', 'holding.ts'), '-w', '1', '--duration', '4s']);
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await run?.stop('SIGKILL');
  });

  it('backpressure while running, then "incomplete" and the reason on the page', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(run.url);
    // Running: the spout has its 5 trees open, at maxSpoutPending (5): held back, not degraded.
    const cell = page.locator('[data-component="five"] [data-field="backpressure"]');
    await page.waitForFunction(() => document.querySelector('[data-component="five"] [data-field="backpressure"]')?.getAttribute('data-value') === 'max-pending', null, { timeout: 30_000 });
    expect(await cell.getAttribute('title')).toBe('1 of 1 task(s) at maxSpoutPending (5 open trees): not polled until trees complete');
    expect(await page.locator('[data-node="five"]').getAttribute('class')).toBe('node held');
    await expect(page.locator('[data-node="five"] .trouble').textContent()).resolves.toBe('backpressure: max-pending');
    expect(await page.locator('#status').textContent()).toBe('running');

    await waitForOutput(run.out, (s) => /dashboard still at/.test(s), 60_000);
    expect(run.out.stderr).toMatch(/drain timed out with 5 trees still pending/);
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'incomplete', null, { timeout: 30_000 });
    await page.locator('#trouble').waitFor({ state: 'visible', timeout: 10_000 });
    await expect(page.locator('#trouble').textContent()).resolves.toBe('run incomplete: the drain timed out with 5 trees still pending: they never completed');
    // Red, not the green of a running or healthy run.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('#status')).backgroundColor)).toBe('rgb(255, 227, 227)');
    expect(await page.locator('[data-stat="pending"]').getAttribute('data-value')).toBe('5');
    // Ended: no live marks (nothing failed here; backpressure is a state of a running run).
    expect(await page.locator('[data-node="five"]').getAttribute('class')).toBe('node');
    process.stderr.write(`incomplete run screenshot: ${await screenshot(page, 'incomplete-run.png')}\n`);
    expect(errors).toEqual([]);
  }, 60_000);
});
