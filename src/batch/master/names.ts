/**
 * Unique file names for the master dataset and who owns a file that is being written.
 *
 * A unique is `<UTC time>-<host>-<pid>-<counter>-<random>`, e.g.
 * `20261122T101530123Z-box1-4242-3-9f2c01ab`. Host and pid keep two processes (even on two
 * machines sharing a disk) apart, the per-process counter keeps two writers of one process
 * apart, and the random part guards against a reused pid. Temp files are also opened with
 * O_EXCL, so a collision would be an error, never a clobbered file. The time comes first so
 * that names sort by creation.
 *
 * The same fields tell recovery whether a temp file's writer may still be alive: see
 * {@link isAbandoned}.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const HOST = (hostname().replace(/[^A-Za-z0-9]/g, '').slice(0, 24) || 'host').toLowerCase();
let counter = 0;

function stamp(ms: number): string {
  // 2026-11-22T10:15:30.123Z -> 20261122T101530123Z (no ':' or '.', which file names dislike)
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/** A fresh unique for a part (see the module comment). */
export function newUnique(now = Date.now()): string {
  return `${stamp(now)}-${HOST}-${process.pid}-${counter++}-${randomBytes(4).toString('hex')}`;
}

/** What a unique says about its writer. */
export interface Owner {
  readonly createdMs: number;
  readonly host: string;
  readonly pid: number;
}

const UNIQUE = /(\d{8}T\d{9}Z)-([a-z0-9]+)-(\d+)-\d+-[0-9a-f]+/;

/** The owner encoded in a file name, or null for a name this module did not make. */
export function ownerOf(name: string): Owner | null {
  const m = UNIQUE.exec(name);
  if (m === null) return null;
  const s = m[1]!;
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`;
  const createdMs = Date.parse(iso);
  if (Number.isNaN(createdMs)) return null;
  return { createdMs, host: m[2]!, pid: Number(m[3]) };
}

/** True when a process with this pid runs on this machine (EPERM: it runs, as another user). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The recovery rule. A temp file is abandoned, and may be taken over, when
 * (a) its writer ran on this host and that pid is no longer alive, or
 * (b) it was created and last written more than `graceMs` ago.
 * A live writer rolls every temp file within its `maxAgeMs` of creation, so with `graceMs`
 * above every writer's `maxAgeMs`, (b) never takes a live writer's file; (b) covers a
 * writer on another host, a reused pid, and a dead worker thread of a live process (same
 * pid: its files wait for the grace period, or for the next process, which sees the pid dead).
 */
export function isAbandoned(name: string, mtimeMs: number, graceMs: number, now = Date.now()): boolean {
  const owner = ownerOf(name);
  if (owner !== null && owner.host === HOST && !pidAlive(owner.pid)) return true;
  const created = owner?.createdMs ?? mtimeMs;
  return now - Math.max(created, mtimeMs) > graceMs;
}
