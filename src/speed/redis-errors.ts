/**
 * Errors of setting up a Redis connection that waiting cannot fix (which ones they are:
 * redis-failure.ts).
 *
 * The classes extend RunError so every command ends with the exit code and the message
 * alone (no stack trace): 1 for a refusal by the server, 2 for bad usage (a malformed URL,
 * an unreadable certificate file).
 */
import { RunError } from '../runtime/physical-plan.js';

/** A Redis set-up error with the exit code the command ends with. */
export class RedisSetupError extends RunError {}

/** Bad usage: a malformed URL, a TLS option without rediss://, a certificate file that cannot be read. */
export class RedisUsageError extends RedisSetupError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** The server refused the credentials or the permissions (WRONGPASS, NOAUTH, NOPERM). */
export class RedisAuthError extends RedisSetupError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** The TLS handshake failed for a reason on one side's certificate. */
export class RedisTlsError extends RedisSetupError {
  constructor(message: string) {
    super(message, 1);
  }
}
