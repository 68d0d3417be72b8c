/**
 * Headless Chromium for the dashboard tests: Debian's chromium driven by playwright-core.
 * Without the browser the tests cannot run, and must not pass quietly: `hasChromium` is
 * false, the suites are skipped, and a banner on stderr says so and how to install it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT, spawnTopo, waitForOutput, type CliResult } from '../cli/run-cli.js';
import type { ChildProcess } from 'node:child_process';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Call at the top of a browser test file. */
export function warnIfNoChromium(what: string): void {
  if (hasChromium) return;
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPED: ${what}: no Chromium at ${CHROMIUM}. These browser tests DID NOT RUN.\n` +
    `!! Install it with: apt-get install -y chromium   (or set CHROMIUM_PATH to a Chromium binary)\n${line}\n`);
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** A page that records its script errors, so a broken page fails the test that opened it. */
export async function openPage(browser: Browser, viewport = { width: 1300, height: 1000 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { page, errors };
}

/** Screenshot into test-artifacts/ (gitignored); returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface UiRun {
  /** e.g. http://127.0.0.1:40123/ui/ */
  readonly url: string;
  readonly child: ChildProcess;
  readonly out: { stdout: string; stderr: string };
  readonly done: Promise<CliResult>;
  stop(signal?: NodeJS.Signals): Promise<CliResult>;
}

const DASHBOARD = /dashboard: (http:\/\/\S+\/ui\/)/;

/** `topo run ...args --ui-port 0`; resolves once it printed the dashboard URL. */
export async function startUiRun(args: readonly string[]): Promise<UiRun> {
  const { child, out, done } = spawnTopo(['run', ...args, '--ui-port', '0']);
  let exited = false;
  void done.then(() => (exited = true));
  await waitForOutput(out, (s) => DASHBOARD.test(s) || exited, 60_000);
  const m = DASHBOARD.exec(out.stderr);
  if (!m) {
    child.kill('SIGKILL');
    throw new Error(`topo run --ui did not print the dashboard URL\nstderr:\n${out.stderr}`);
  }
  return {
    url: m[1]!, child, out, done,
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return done;
    },
  };
}
