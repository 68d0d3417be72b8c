/**
 * Whether the views' Redis is reachable, for the dashboard's "degraded" state: read from the
 * state of the dashboard's own serving connection (which reconnects by itself after an
 * outage), so knowing costs no command. The run's writer bolts see the same outage as write
 * errors; this says which store it is and since when, which their errors do not.
 */
import type { RedisClient } from '../speed/redis-client.js';
import type { StoreProbe } from './live-types.js';

const hms = (t: number): string => new Date(t).toISOString().slice(11, 19);

export class RedisProbe implements StoreProbe {
  private downSince: number | null = null;
  private lastError: string | null = null;

  /** `display`: where the store is, printable (password masked), e.g. `redis://127.0.0.1:6379`. */
  constructor(private readonly client: RedisClient, private readonly display: string) {
    client.on('error', (err: Error) => {
      this.lastError = err.message;
      this.downSince ??= Date.now();
    });
    client.on('ready', () => {
      this.downSince = null;
      this.lastError = null;
    });
    const down = (): void => void (this.downSince ??= Date.now());
    client.on('close', down);
    client.on('reconnecting', down);
    client.on('end', down);
  }

  problem(): string | null {
    if (this.client.status === 'ready') return null;
    const since = hms(this.downSince ?? Date.now());
    return `views store ${this.display} unreachable since ${since} UTC (${this.lastError ?? `connection ${this.client.status}`}): realtime views are not written and the analytics page shows its last figures`;
  }
}
