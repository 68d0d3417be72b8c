/**
 * Side inputs of a batch input (src/batch/runner/side-input.ts): a value built once per run
 * from a whole second dataset and read by eventOf in every pool thread. Through `topo batch`
 * and `topo query` against a real redis-server, with a topology module on public entries only
 * (fixtures/side-join.ts: clicks counted per team, the team joined from a teams dataset).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineBatchInput } from '../../src/batch/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { cleanEnv, lastJson, ROOT, topoIn, type QueryJson } from '../pageviews-e2e/harness.js';

const SIDE_JOIN = join(ROOT, 'test', 'batch-runner', 'fixtures', 'side-join.ts');
const HOUR = 3_600_000;
const DAY1 = Date.UTC(2024, 2, 1, 9);
const DAY2 = Date.UTC(2024, 2, 2, 9);

let server: RedisServer;
let dir: string;
let db = 0;
beforeAll(async () => {
  server = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'topo-side-'));
});
afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes records as part files of `perFile` lines under their UTC dates; `extra` lines go at the end of the last file. */
function write<T extends { readonly ts: number }>(root: string, dataset: string, records: readonly T[], perFile: number, extra: readonly string[] = []): string[] {
  const paths: string[] = [];
  const lines = records.map((r) => JSON.stringify(r));
  for (let i = 0; i < lines.length; i += perFile) {
    const date = new Date(records[i]!.ts).toISOString().slice(0, 10);
    const d = join(root, dataset, `date=${date}`);
    mkdirSync(d, { recursive: true });
    const last = i + perFile >= lines.length;
    const path = join(d, `part-${dataset}${String(i).padStart(4, '0')}.jsonl`);
    writeFileSync(path, `${[...lines.slice(i, i + perFile), ...(last ? extra : [])].join('\n')}\n`);
    paths.push(path);
  }
  return paths;
}

function scratch(tag: string): { master: string; redis: string; log: string } {
  const base = join(dir, tag);
  mkdirSync(base, { recursive: true });
  return { master: join(base, 'master'), redis: `${server.url}/${++db}`, log: join(base, 'built.log') };
}

interface SideJson { files: number; badLines: number; bad: string[]; sideInputs: { name: string; dataset: string; files: number; records: number; badLines: number }[] }

const batch = (s: { master: string; redis: string; log: string }, more: string[] = [], mode?: string) =>
  topoIn(['batch', SIDE_JOIN, '--master', s.master, '--redis', s.redis, '--threads', '2', '--json', '-q', ...more],
    { timeoutMs: 90_000, env: cleanEnv({ SIDE_LOG: s.log, ...(mode !== undefined ? { SIDE_MODE: mode } : {}) }) });

async function teamClicks(team: string, from: number, redis: string): Promise<QueryJson> {
  const r = await topoIn(['query', 'teamclicks', team, '--topology', SIDE_JOIN, '--from', new Date(from).toISOString(), '--to', new Date(from).toISOString(), '--json', '--redis', redis]);
  expect(r.code, r.stderr).toBe(0);
  return lastJson<QueryJson>(r);
}

/** 12 users clicking on two days (8 part files), users 0-3 in red, 4-7 in blue, 8-11 in no team; one last click moves the watermark past both days. */
function clicksOf(): Array<{ id: string; ts: number; user: string }> {
  const out: Array<{ id: string; ts: number; user: string }> = [];
  for (const day of [DAY1, DAY2]) for (let i = 0; i < 48; i++) out.push({ id: `c${day}-${i}`, ts: day + i * 60_000, user: `u${i % 12}` });
  out.push({ id: 'last', ts: DAY2 + 14 * HOUR, user: 'u0' });
  return out;
}

describe('a side input', () => {
  it('is built once per run from every date of its dataset, and every map task on every thread joins with it', async () => {
    const s = scratch('join');
    const clicks = clicksOf();
    expect(write(s.master, 'clicks', clicks, 12).length).toBe(9);
    // The teams are from February: before any --since below. One bad line among them.
    const members = Array.from({ length: 8 }, (_, i) => ({ id: `m${i}`, ts: Date.UTC(2024, 1, 1) + i, user: `u${i}`, team: i < 4 ? 'red' : 'blue' }));
    const [teamsFile] = write(s.master, 'teams', members, 8, ['{"id":"m8","ts":1706745600000,"user":"u8"}']);

    const r = await batch(s);
    expect(r.code, r.stderr).toBe(0);
    const j = lastJson<SideJson>(r);
    expect(j.sideInputs).toEqual([expect.objectContaining({ name: 'teamOf', dataset: 'teams', files: 1, records: 8, badLines: 1 })]);
    expect(j.badLines).toBe(1);
    expect(j.bad).toEqual([`${teamsFile}:9: no team`]);
    // 48 clicks a day, a user every 12 clicks: 4 users of each team, 16 clicks each, per day.
    for (const day of [DAY1, DAY2]) {
      expect((await teamClicks('red', day, s.redis)).buckets[0]).toEqual({ start: new Date(day).toISOString(), value: 16, source: 'batch' });
      expect((await teamClicks('blue', day, s.redis)).buckets[0]!.value).toBe(16);
      expect((await teamClicks('none', day, s.redis)).buckets[0]!.value).toBe(16);
    }
    expect(readFileSync(s.log, 'utf8')).toBe('built\n');

    // A run over the second day only still joins with the February teams; built again, once.
    const since = await batch(s, ['--since', '2024-03-02']);
    expect(since.code, since.stderr).toBe(0);
    expect(lastJson<SideJson>(since).files).toBe(5);
    expect((await teamClicks('red', DAY2, s.redis)).buckets[0]!.value).toBe(16);
    expect(readFileSync(s.log, 'utf8')).toBe('built\nbuilt\n');

    // --strict: a bad line of the side dataset fails the run like one of the views' own.
    const strict = await batch(s, ['--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`${teamsFile}:9: no team`);
  }, 240_000);

  it('fails the run naming it: an undeclared dataset, a build that throws, a value that cannot cross threads', async () => {
    const s = scratch('wrong');
    write(s.master, 'clicks', clicksOf().slice(0, 5), 5);
    write(s.master, 'teams', [{ id: 'm0', ts: DAY1, user: 'u0', team: 'red' }], 1);
    const cases: Array<[string, string]> = [
      ['undeclared', "batchInput.sideInputs.teamOf: dataset 'members' is not declared: it declares 'clicks', 'teams'"],
      ['throw', 'batchInput.sideInputs.teamOf.build threw: no teams today'],
      ['function', 'batchInput.sideInputs.teamOf.build returned a function, which a pool thread would not get whole'],
      ['class', 'batchInput.sideInputs.teamOf.build returned an instance of Lookup, which a pool thread would not get whole'],
    ];
    for (const [mode, message] of cases) {
      const r = await batch(s, [], mode);
      expect(r.code, `${mode}: ${r.stderr}`).toBe(1);
      expect(r.stderr, mode).toContain(message);
    }
  }, 120_000);

  it('is checked where it is declared', () => {
    const base = { dataset: 'clicks', eventOf: () => null, groupOf: () => '' };
    expect(() => defineBatchInput({ ...base, sideInputs: [] as never })).toThrow('batchInput.sideInputs must be an object of { dataset, build } by name');
    expect(() => defineBatchInput({ ...base, sideInputs: { t: { dataset: 'Teams', build: () => 1 } } })).toThrow('batchInput.sideInputs.t.dataset must be a dataset folder name, got "Teams"');
    expect(() => defineBatchInput({ ...base, sideInputs: { t: { dataset: 'teams' } as never } })).toThrow('batchInput.sideInputs.t.build must be a function');
    expect(() => defineBatchInput({ ...base, sideInputs: { 'a-b': { dataset: 'teams', build: () => 1 } } })).toThrow('must be an identifier');
  });
});
