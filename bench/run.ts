/**
 * Bench harness. Launched through bench/run.js, which bundles this file; the
 * same bundle is also the entry of every worker thread (dispatched by role)
 * and of every per-scenario child process (`--child <name>`).
 *
 * Why a child process per scenario: peak RSS (maxRSS covers all threads of
 * a process) and JIT/GC state would otherwise leak from one scenario into
 * the next and skew the later ones.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarios } from './scenarios.js';
import type { ChildReport, ScenarioResult } from './lib/report.js';
import { printTable } from './lib/report.js';
import { runRoleIfWorker, setWorkerEntry } from './lib/workers.js';

const REPORT_PREFIX = '@@topo-bench ';

setWorkerEntry(import.meta.url);
if (!runRoleIfWorker() && process.argv[2] === '--child') {
  void runChild(process.argv[3] ?? '', process.argv.includes('--quick'));
}

async function runChild(name: string, quick: boolean): Promise<void> {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario ${name}`);
  const out = await scenario.run({ quick });
  const report: ChildReport = {
    scenario: name,
    results: Array.isArray(out) ? out : [out],
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
  // Workers or ports a scenario forgot to close must not keep the child alive.
  process.exit(0);
}

function runInChild(bundle: string, name: string, quick: boolean): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const args = ['--enable-source-maps', bundle, '--child', name, ...(quick ? ['--quick'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
      if (code === 0 && line) resolve(JSON.parse(line.slice(REPORT_PREFIX.length)) as ChildReport);
      else reject(new Error(`scenario ${name} exited with code ${code}\n${stdout}`));
    });
  });
}

/** Entry called by bench/run.js with the bundle path and the project root. */
export async function main(argv: string[], bundle = fileURLToPath(import.meta.url), root = process.cwd()): Promise<number> {
  const quick = argv.includes('--quick');
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? (argv[onlyIdx + 1] ?? '').split(',').filter(Boolean) : null;
  if (argv.includes('--list')) {
    for (const s of scenarios) console.log(`${s.name.padEnd(28)} ${s.group.padEnd(10)} ${s.description}`);
    return 0;
  }
  const unknown = only?.filter((n) => !scenarios.some((s) => s.name === n)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')} (see --list)`);
    return 2;
  }
  const selected = only ? scenarios.filter((s) => only.includes(s.name)) : scenarios;

  const reports: ChildReport[] = [];
  let failed = 0;
  for (const s of selected) {
    process.stderr.write(`running ${s.name}${quick ? ' (quick)' : ''}...\n`);
    try {
      reports.push(await runInChild(bundle, s.name, quick));
    } catch (err) {
      failed++;
      console.error(err instanceof Error ? err.message : err);
    }
  }

  const limitRow = reports.find((r) => r.scenario === 'limit')?.results[0];
  printTable(reports, limitRow?.tuplesPerSec);

  const date = new Date();
  const cpus = os.cpus();
  const file = {
    date: date.toISOString(),
    quick,
    machine: {
      cpuModel: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      totalMemBytes: os.totalmem(),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    reports,
  };
  const dir = path.join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${date.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
  return failed === 0 ? 0 : 1;
}

export type { ScenarioResult };
