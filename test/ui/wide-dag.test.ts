/**
 * The topology page with 15 components in an 800 px window: the DAG turns top to bottom and is
 * drawn at full size (not scaled into small text), no edge label lies over another or over a
 * box as the browser renders them, the page never scrolls sideways; widened to 1300 px the
 * chart follows its panel's width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { join } from 'node:path';
import { assertBuilt, ROOT } from '../cli/run-cli.js';
import { hasChromium, launch, openPage, screenshot, startUiRun, warnIfNoChromium, type UiRun } from './browser.js';

declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const getComputedStyle: any; // eslint-disable-line @typescript-eslint/no-explicit-any

warnIfNoChromium('test/ui/wide-dag.test.ts');

describe.skipIf(!hasChromium)('a 15-component DAG in a narrow window', () => {
  let browser: Browser;
  let run: UiRun;
  beforeAll(async () => {
    assertBuilt();
    run = await startUiRun([join(ROOT, 'test', 'ui', 'fixtures', 'wide.ts'), '-w', '1', '--metrics-interval', '1m']);
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await run?.stop('SIGKILL');
  });

  it('is readable at 800 px: full-size text, no overlapping labels, no sideways page scroll', async () => {
    const { page, errors } = await openPage(browser, { width: 800, height: 1000 });
    await page.goto(run.url);
    await page.waitForFunction(() => document.querySelectorAll('[data-node]').length === 15 && Number(document.querySelector('[data-stat="acked"]')?.getAttribute('data-value')) > 0, null, { timeout: 60_000 });
    const layout = await page.evaluate(() => {
      const svg = document.querySelector('svg.dag');
      const r = (e: any) => { const b = e.getBoundingClientRect(); return { l: b.left, r: b.right, t: b.top, b: b.bottom, id: e.closest('[data-edge],[data-node]').getAttribute('data-edge') ?? e.closest('[data-node]').getAttribute('data-node') }; };
      return {
        direction: svg.getAttribute('data-direction'),
        scale: svg.getBoundingClientRect().width / Number(svg.getAttribute('width')),
        labels: [...document.querySelectorAll('svg.dag .edge .label')].map(r),
        boxes: [...document.querySelectorAll('svg.dag .node rect')].map(r),
        edges: document.querySelectorAll('svg.dag .edge').length,
        pageOverflow: document.scrollingElement.scrollWidth - window.innerWidth,
        dagOverflow: document.getElementById('dag').scrollWidth - document.getElementById('dag').clientWidth,
        fontPx: parseFloat(getComputedStyle(document.querySelector('svg.dag .node .title')).fontSize),
      };
    });
    expect(layout.direction).toBe('tb');
    expect(layout.scale).toBeCloseTo(1, 2);
    expect(layout.fontPx).toBeGreaterThanOrEqual(12);
    expect(layout.pageOverflow).toBeLessThanOrEqual(0);
    expect(layout.dagOverflow).toBeLessThanOrEqual(0);
    expect(layout.edges).toBe(19);
    expect(layout.labels.length).toBeGreaterThanOrEqual(15);
    const apart = (a: typeof layout.boxes[number], b: typeof layout.boxes[number]) => a.r <= b.l || b.r <= a.l || a.b <= b.t || b.b <= a.t;
    for (const a of layout.labels) {
      for (const b of layout.boxes) expect(apart(a, b), `label of ${a.id} over box ${b.id}`).toBe(true);
      for (const b of layout.labels) if (a !== b) expect(apart(a, b), `label of ${a.id} over label of ${b.id}`).toBe(true);
    }
    expect(await page.locator('#components tbody tr').count()).toBe(15);
    const narrow = await screenshot(page, 'topology-800px-15-components.png');
    process.stderr.write(`800 px screenshot: ${narrow}\n`);

    // Wider window: the chart follows its panel (it used to keep its load-time width).
    await page.waitForFunction(() => window.topoDashboard.chart !== null, null, { timeout: 30_000 });
    const before = await page.evaluate(() => window.topoDashboard.chart.width);
    await page.setViewportSize({ width: 1300, height: 1000 });
    await page.waitForFunction((w) => window.topoDashboard.chart.width > w + 300, before, { timeout: 10_000 });
    const chart = await page.evaluate(() => ({ w: window.topoDashboard.chart.width, box: document.getElementById('throughput').clientWidth }));
    expect(Math.abs(chart.w - chart.box)).toBeLessThanOrEqual(2);
    expect(await page.evaluate(() => { const s = document.querySelector('#components').parentElement; return s.scrollWidth - s.clientWidth; })).toBeLessThanOrEqual(0);
    process.stderr.write(`1300 px screenshot: ${await screenshot(page, 'topology-1300px-15-components.png')}\n`);
    expect(errors).toEqual([]);
  }, 180_000);
});
