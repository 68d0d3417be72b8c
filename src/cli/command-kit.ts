/**
 * What every command group of the CLI shares: loading a command's module only when it runs,
 * and the cluster flag's wording.
 */

// Each command's module is loaded when the command runs: `topo query` then loads neither the
// runtime, the batch runner nor esbuild (a query within 100 ms of process start, issue 15).
type Module<K extends string> = Record<K, (...args: never[]) => Promise<number>>;
export function lazy<M extends Module<K>, K extends string & keyof M>(load: () => Promise<M>, name: K): M[K] {
  return (async (...args: Parameters<M[K]>) => (await load())[name](...args)) as M[K];
}

/** Called with a command's exit code once its action has run. */
export type Done = (code: number) => void;

export const CLUSTER_FLAG = '--redis-cluster <urls>';
export const CLUSTER_HELP = 'views in a Redis Cluster: node URLs, comma-separated or repeated (default REDIS_CLUSTER_URLS)';
