// The benchmark's setup and the application's own Redis key names, shared by the topology
// (its generator spout runs the setup when it opens) and the `ysb.mjs` script.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setupOf } from './gen.mjs';

export const AD_KEY = (ad) => `ysb:ad:${ad}`;
export const CAMPAIGNS_KEY = 'ysb:campaigns';
/** The latest generator run's parameters (seed, start, rate, skew, generated). */
export const RUN_KEY = 'ysb:run';
/** `ysb:updated:<topology>`: field `<campaign>:<window start ms>` -> last update, epoch ms. */
export const UPDATED_PREFIX = 'ysb:updated:';
/** Where the ad -> campaign table is kept for `topo batch` (the original's ad-to-campaign-ids.txt). */
export const adTableFile = () => process.env.YSB_ADS ?? '.topo/ysb/ad-to-campaign.json';

/**
 * SET ysb:ad:<ad> <campaign> for the seed's 1,000 ads, SADD the campaigns, and merge the
 * table into `tableFile` (earlier seeds' ads stay joinable). The same seed writes the same ids.
 */
export async function writeSetup(redis, seed, tableFile = adTableFile()) {
  const s = setupOf(seed);
  const pipe = redis.pipeline();
  for (const [ad, campaign] of s.campaignOfAd) pipe.set(AD_KEY(ad), campaign);
  pipe.sadd(CAMPAIGNS_KEY, ...s.campaigns);
  const failed = ((await pipe.exec()) ?? []).find(([err]) => err !== null);
  if (failed) throw failed[0];
  let table = {};
  try {
    table = JSON.parse(readFileSync(tableFile, 'utf8'));
  } catch {
    // absent or unreadable: written anew
  }
  if ([...s.campaignOfAd].every(([ad, c]) => table[ad] === c)) return;
  for (const [ad, c] of s.campaignOfAd) table[ad] = c;
  mkdirSync(dirname(tableFile), { recursive: true });
  // Renamed into place: a batch thread never reads half a file.
  const tmp = `${tableFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, JSON.stringify(table));
  renameSync(tmp, tableFile);
}
