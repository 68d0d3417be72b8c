/**
 * Redis stopped under a running `topo run --ui` (pageviews from a Redis stream, so the run
 * goes on): the topology page turns "degraded" and says which store is unreachable and since
 * when, the analytics page keeps its last figures marked stale with their time; with Redis
 * back both pages recover without a reload. A real redis-server, stopped and started again
 * (with AOF, so the views and the stream survive the restart).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertBuilt, tempDir, topo } from '../cli/run-cli.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { hasChromium, launch, openPage, screenshot, startUiRun, warnIfNoChromium, type UiRun } from './browser.js';

declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any

warnIfNoChromium('test/ui/redis-down.test.ts');

const RANGE = `from=2015-05-17&to=${encodeURIComponent('2015-05-20T23:59Z')}&url=${encodeURIComponent('http://semicomplete.com/')}`;

describe.skipIf(!hasChromium)('the dashboard while Redis is down', () => {
  let redis: RedisServer;
  let master: { dir: string; remove: () => void };
  let browser: Browser;
  let run: UiRun;
  let topology: Page;
  let analytics: Page;
  const pageErrors: string[][] = [];

  beforeAll(async () => {
    assertBuilt();
    redis = await startRedis({ aof: true, appendfsync: 'everysec' });
    master = tempDir('ui-redis-down');
    const produced = await topo(['produce', 'topologies/data/apache_logs.log', '--stream', 'pv', '--format', 'apache', '-q', '--redis', redis.url], 120_000);
    if (produced.code !== 0) throw new Error(`topo produce exited ${produced.code}\n${produced.stderr}`);
    run = await startUiRun(['topologies/pageviews.ts', '--redis', redis.url, '-c', 'stream=pv', '-c', 'stream.start=0', '-c', `master=${master.dir}`, '-q']);
    browser = await launch();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await run?.stop('SIGKILL');
    await redis?.dispose();
    master?.remove();
  });

  const status = (p: Page) => p.locator('#status').textContent();

  it('both pages show figures while Redis is up', async () => {
    ({ page: topology } = await openPage(browser).then((o) => (pageErrors.push(o.errors), o)));
    ({ page: analytics } = await openPage(browser).then((o) => (pageErrors.push(o.errors), o)));
    await topology.goto(run.url);
    await analytics.goto(`${run.url}analytics?${RANGE}`);
    // The stream holds the whole log: wait until the run has written most of it.
    await topology.waitForFunction(() => Number(document.querySelector('[data-stat="acked"]')?.getAttribute('data-value')) >= 9000, null, { timeout: 120_000 });
    await topology.waitForFunction(() => document.querySelector('#status')?.textContent === 'running', null, { timeout: 60_000 });
    await analytics.waitForFunction(() => window.topoDashboard.refreshes >= 1 && document.querySelectorAll('#top tbody tr[data-url]').length > 0, null, { timeout: 60_000 });
    expect(await analytics.locator('#stale').isHidden()).toBe(true);
    process.stderr.write(`Redis up screenshot: ${await screenshot(topology, 'redis-up-topology.png')}\n`);
  }, 180_000);

  it('Redis stopped: "degraded" with the store and since when; analytics figures kept and marked stale', async () => {
    await redis.stop();
    await topology.waitForFunction(() => document.querySelector('#status')?.textContent === 'degraded', null, { timeout: 30_000 });
    expect(await topology.locator('#status').getAttribute('data-status')).toBe('running');
    await expect(topology.locator('#trouble').textContent()).resolves.toMatch(new RegExp(`views store redis://127\\.0\\.0\\.1:${redis.port} unreachable since \\d\\d:\\d\\d:\\d\\d UTC`));
    await analytics.locator('#stale').waitFor({ state: 'visible', timeout: 30_000 });
    await expect(analytics.locator('#stale').textContent()).resolves.toMatch(/^Stale: these figures are from \d\d:\d\d:\d\d UTC, the last refresh failed \(.+\)/);
    expect(await analytics.locator('section.figures.stale').count()).toBe(3);
    // The last figures are still there to read.
    expect(await analytics.locator('#top tbody tr[data-url]').count()).toBeGreaterThan(0);
    process.stderr.write(`Redis down screenshots: ${await screenshot(topology, 'redis-down-topology.png')} ${await screenshot(analytics, 'redis-down-analytics.png')}\n`);
  }, 90_000);

  it('Redis back: both pages recover without a reload', async () => {
    await redis.restart();
    await analytics.locator('#stale').waitFor({ state: 'hidden', timeout: 60_000 });
    expect(await analytics.locator('section.figures.stale').count()).toBe(0);
    await topology.waitForFunction(() => !/unreachable/.test(document.querySelector('#trouble')?.textContent ?? ''), null, { timeout: 60_000 });
    await topology.waitForFunction(() => document.querySelector('#status')?.textContent === 'running', null, { timeout: 60_000 });
    expect(await status(topology)).toBe('running');
    for (const errors of pageErrors) expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  }, 120_000);
});
