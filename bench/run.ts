/**
 * Bench harness. Launched through bench/run.js, which bundles this file; the
 * same bundle is also the entry of every worker thread (dispatched by role)
 * and of every per-scenario child process (`--child <name>`).
 *
 * Why a child process per scenario: peak RSS (maxRSS covers all threads of
 * a process) and JIT/GC state would otherwise leak from one scenario into
 * the next and skew the later ones. A scenario with `variants` (the topology
 * rows: acking on/off x 1/N workers) gets one child per variant, for the same
 * reason (`--child <name> --variant <v>`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarios } from './scenarios.js';
import type { ChildReport, ScenarioResult } from './lib/report.js';
import { printTable } from './lib/report.js';
import { renderChart } from './lib/chart.js';
import { printVerdicts, verdicts } from './lib/verdicts.js';
import { runRoleIfWorker, setWorkerEntry } from './lib/workers.js';

const REPORT_PREFIX = '@@topo-bench ';

setWorkerEntry(import.meta.url);
if (!runRoleIfWorker() && process.argv[2] === '--child') {
  const v = process.argv.indexOf('--variant');
  void runChild(process.argv[3] ?? '', process.argv.includes('--quick'), v > 0 ? process.argv[v + 1] : undefined);
}

async function runChild(name: string, quick: boolean, variant: string | undefined): Promise<void> {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario ${name}`);
  const out = await scenario.run(variant === undefined ? { quick } : { quick, variant });
  const report: ChildReport = {
    scenario: name,
    ...(variant === undefined ? {} : { variant }),
    results: Array.isArray(out) ? out : [out],
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
  // Workers or ports a scenario forgot to close must not keep the child alive.
  process.exit(0);
}

function runInChild(bundle: string, root: string, name: string, variant: string | undefined, quick: boolean): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const args = ['--enable-source-maps', bundle, '--child', name, ...(variant ? ['--variant', variant] : []), ...(quick ? ['--quick'] : [])];
    // The project root as cwd: topology scenarios find their modules from it.
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(REPORT_PREFIX));
      if (code === 0 && line) resolve(JSON.parse(line.slice(REPORT_PREFIX.length)) as ChildReport);
      else reject(new Error(`scenario ${name}${variant ? `:${variant}` : ''} exited with code ${code}\n${stdout}`));
    });
  });
}

/** Entry called by bench/run.js with the bundle path and the project root. */
export async function main(argv: string[], bundle = fileURLToPath(import.meta.url), root = process.cwd()): Promise<number> {
  const quick = argv.includes('--quick');
  const onlyIdx = argv.indexOf('--only');
  const only = onlyIdx >= 0 ? (argv[onlyIdx + 1] ?? '').split(',').filter(Boolean) : null;
  if (argv.includes('--list')) {
    for (const s of scenarios) {
      console.log(`${s.name.padEnd(32)} ${s.group.padEnd(10)} ${s.description}`);
      if (s.variants) console.log(`${''.padEnd(43)} variants: ${s.variants.join(', ')}`);
    }
    return 0;
  }
  // `--only a,b` runs whole scenarios; `--only a:variant` one variant of one.
  const runs: Array<{ name: string; variant: string | undefined }> = [];
  const unknown: string[] = [];
  for (const s of scenarios) {
    for (const variant of s.variants ?? [undefined]) {
      const key = variant === undefined ? s.name : `${s.name}:${variant}`;
      if (!only || only.includes(s.name) || only.includes(key)) runs.push({ name: s.name, variant });
    }
  }
  for (const n of only ?? []) if (!runs.some((r) => r.name === n || `${r.name}:${r.variant}` === n)) unknown.push(n);
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')} (see --list)`);
    return 2;
  }

  const reports: ChildReport[] = [];
  let failed = 0;
  for (const { name, variant } of runs) {
    process.stderr.write(`running ${name}${variant ? `:${variant}` : ''}${quick ? ' (quick)' : ''}...\n`);
    try {
      reports.push(await runInChild(bundle, root, name, variant, quick));
    } catch (err) {
      failed++;
      console.error(err instanceof Error ? err.message : err);
    }
  }

  const limitRow = reports.find((r) => r.scenario === 'limit')?.results[0];
  const peers = new Map(scenarios.flatMap((s) => (s.peer ? [[s.name, s.peer] as const] : [])));
  printTable(reports, limitRow?.tuplesPerSec, peers);
  const targets = verdicts(reports);
  printVerdicts(targets);

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
    targets,
  };
  const dir = path.join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${date.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`);
  const title = `topo bench ${file.date}${quick ? ' (--quick)' : ''}: ${file.machine.cpuModel}, ${file.machine.cores} cores, node ${file.machine.node}`;
  const topologyNames = new Set(scenarios.filter((s) => s.group === 'topology').map((s) => s.name));
  const svg = renderChart(reports, topologyNames, limitRow?.tuplesPerSec, title);
  if (svg) {
    const svgOut = out.replace(/\.json$/, '.svg');
    writeFileSync(svgOut, svg);
    console.log(`wrote ${path.relative(process.cwd(), svgOut)}`);
  }
  return failed === 0 ? 0 : 1;
}

export type { ScenarioResult };
