/**
 * Unique file names for the master dataset and who owns a file that is being written.
 *
 * A unique is `<UTC time>-<host>-<pid>-<counter>-<random>[-<owner>]`, e.g.
 * `20261122T101530123Z-box1-4242-3-9f2c01ab-t5r3f9a2c1d`. Host and pid keep two processes (even on two
 * machines sharing a disk) apart, the per-process counter keeps two writers of one process
 * apart, and the random part guards against a reused pid. Temp files are also opened with
 * O_EXCL, so a collision would be an error, never a clobbered file. The time comes first so
 * that names sort by creation.
 *
 * The same fields tell recovery whether a temp file's writer may still be alive: see
 * {@link isAbandoned}. The optional owner tag names the task that writes the file (its task
 * id and its run's id, see {@link ownerTag}): a worker thread that dies leaves its process,
 * and so its pid, alive, and the tag is how the thread that replaces it (hosting the same
 * tasks) knows the files are its dead predecessor's and adopts them at once (recover.ts).
 * Names without a tag (older files, `topo ingest`) parse as before.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

const HOST = (hostname().replace(/[^A-Za-z0-9]/g, '').slice(0, 24) || 'host').toLowerCase();
let counter = 0;

function stamp(ms: number): string {
  // 2026-11-22T10:15:30.123Z -> 20261122T101530123Z (no ':' or '.', which file names dislike)
  return new Date(ms).toISOString().replace(/[-:.]/g, '');
}

/** A fresh unique for a part (see the module comment); `owner` from {@link ownerTag}. */
export function newUnique(now = Date.now(), owner?: string): string {
  const base = `${stamp(now)}-${HOST}-${process.pid}-${counter++}-${randomBytes(4).toString('hex')}`;
  return owner === undefined ? base : `${base}-${owner}`;
}

/**
 * The owner tag of a task's files: `t<taskId>r<runId>`. Task ids are unique in a run and a
 * task lives on one thread at a time; the run id (config `topology.runId`, one per
 * Supervisor) keeps two runs of one process apart, which share task ids.
 */
export function ownerTag(runId: string, taskId: number): string {
  const run = runId.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (run === '' || !Number.isInteger(taskId) || taskId < 0) throw new Error(`ownerTag: bad run id '${runId}' or task id ${taskId}`);
  return `t${taskId}r${run}`;
}

/** What a unique says about its writer. */
export interface Owner {
  readonly createdMs: number;
  readonly host: string;
  readonly pid: number;
  /** The owner tag, or null for a name without one. */
  readonly tag: string | null;
}

const UNIQUE = /(\d{8}T\d{9}Z)-([a-z0-9]+)-(\d+)-\d+-[0-9a-f]+(?:-([a-z0-9]+))?/;

/** The owner encoded in a file name, or null for a name this module did not make. */
export function ownerOf(name: string): Owner | null {
  const m = UNIQUE.exec(name);
  if (m === null) return null;
  const s = m[1]!;
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.slice(15, 18)}Z`;
  const createdMs = Date.parse(iso);
  if (Number.isNaN(createdMs)) return null;
  return { createdMs, host: m[2]!, pid: Number(m[3]), tag: m[4] ?? null };
}

/** True when the file was made in this process by a writer with owner tag `tag`. */
export function ownedHere(name: string, tag: string): boolean {
  const owner = ownerOf(name);
  return owner !== null && owner.host === HOST && owner.pid === process.pid && owner.tag === tag;
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
 * writer on another host and a reused pid. A dead worker thread of a live process (same
 * pid) is covered by the owner tag: its replacement adopts its files (see the module comment);
 * untagged files of such a thread wait for the grace period or the next process.
 */
export function isAbandoned(name: string, mtimeMs: number, graceMs: number, now = Date.now()): boolean {
  const owner = ownerOf(name);
  if (owner !== null && owner.host === HOST && !pidAlive(owner.pid)) return true;
  const created = owner?.createdMs ?? mtimeMs;
  return now - Math.max(created, mtimeMs) > graceMs;
}
