/**
 * The Redis flags every command that takes `--redis` shares beyond the URL: the TLS files
 * (`--redis-tls-ca/-cert/-key/-servername`, added to the URL as its query parameters, see
 * src/speed/redis-tls.ts), and the mapping of a failed start-up connection to an exit code
 * without a stack trace (1: Redis unreachable or refusing; 2: bad usage).
 */
import type { Command } from 'commander';
import { RunError } from '../runtime/physical-plan.js';
import { connectViews, type ConnectOptions, type ViewConnection } from '../speed/connect.js';
import type { RedisTlsFlags } from '../speed/redis-tls.js';

/** The flags as commander names them. */
export interface RedisTlsCliFlags {
  redisTlsCa?: string;
  redisTlsCert?: string;
  redisTlsKey?: string;
  redisTlsServername?: string;
}

/** Add the TLS flags to every command of `program` that has `--redis`. */
export function addRedisTlsFlags(program: Command): void {
  for (const c of program.commands) {
    if (!c.options.some((o) => o.long === '--redis')) continue;
    c.option('--redis-tls-ca <file>', 'PEM file of the CA that signed the Redis server certificate (rediss:// only; default: the system CAs)')
      .option('--redis-tls-cert <file>', 'PEM client certificate, for a server with tls-auth-clients (with --redis-tls-key)')
      .option('--redis-tls-key <file>', 'PEM private key of --redis-tls-cert')
      .option('--redis-tls-servername <name>', 'the name the server certificate must hold (SNI), when it is not the URL host');
  }
}

export function tlsFlagsOf(flags: RedisTlsCliFlags): RedisTlsFlags {
  return { ca: flags.redisTlsCa, cert: flags.redisTlsCert, key: flags.redisTlsKey, servername: flags.redisTlsServername };
}

/** connectViews, with any failure as a RunError: its own exit code for set-up errors, else 1. */
export async function connectForCommand(options: ConnectOptions): Promise<ViewConnection> {
  try {
    return await connectViews(options);
  } catch (err) {
    throw err instanceof RunError ? err : new RunError((err as Error).message, 1);
  }
}
