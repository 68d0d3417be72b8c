import { describe, expect, it, vi } from 'vitest';
import { acquireLease } from '../../src/batch/runner/lease.js';
import { main } from '../../src/cli/main.js';
import { HOST, HOUR, rec, T0, tempRoot, writeDataset } from '../batch-runner/fixture.js';
import { useRedis } from '../batch-runner/use-redis.js';

const db = useRedis();

/** Run the CLI in this process; capture what it writes. */
async function topo(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(['node', 'topo', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('topo batch / topo query', () => {
  it('publishes, answers with sources and watermark, refuses a concurrent run with exit 1, rolls back', async () => {
    const root = tempRoot();
    writeDataset(root, [rec('1.2.3.4', '/a', T0), rec('1.2.3.5', '/a', T0 + 10), rec('1.2.3.4', '/a', T0 + 2 * HOUR)], 2);
    const common = ['--master', root, '--redis', db.server.url, '--threads', '1', '-q'];
    const b = await topo(['batch', 'topologies/pageviews.ts', ...common, '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout.trim())).toMatchObject({ records: 3, events: 3, views: [{ view: 'pageviews' }, { view: 'uniques' }, { view: 'bounces' }] });
    const q = await topo(['query', 'pageviews', `http://${HOST}/a`, '--from', '2015-05-17T22:00Z', '--to', '2015-05-18T00:00Z', '--json', '--redis', db.server.url]);
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout.trim())).toMatchObject({
      value: 2, watermark: '2015-05-18T00:00:00.000Z', complete: false, missing: 1,
      // No speed layer ever ran: the hour after the watermark is a hole, not a zero.
      buckets: [{ value: 2, source: 'batch' }, { value: 0, source: 'batch' }, { value: null, source: 'missing' }],
    });
    const lease = await acquireLease(db.redis, 'pageviews', { holder: 'someone-else' });
    const busy = await topo(['batch', 'topologies/pageviews.ts', ...common]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/another batch run holds the lease.*someone-else/);
    await lease.release();
    expect((await topo(['batch', 'topologies/pageviews.ts', ...common])).code).toBe(0);
    const rb = await topo(['batch', 'topologies/pageviews.ts', '--rollback', 'pageviews', '--redis', db.server.url]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stdout).toMatch(/rolled back/);
    expect((await topo(['batch', 'topologies/pageviews.ts', ...common, '--since', '2015-13-01'])).code).toBe(2);
  });
});
