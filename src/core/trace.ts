/**
 * Timestamps of the phases of one run (loading, ssh config, known_hosts, TCP connect, key exchange,
 * authentication, each remote call), for `npm run bench`'s breakdown of the CLI's time. Off unless
 * the process starts with DOCKER_FIREWALL_TRACE=1: then each is a `performance.mark`, which the CLI
 * prints to stderr as it exits (src/cli/trace.ts). Off, a mark costs one boolean test. They use
 * Node's global `performance`, not an import of node:perf_hooks: the global loads that module on
 * first use, so a run that neither traces nor verifies never loads it (some milliseconds of a start).
 */
const TRACING = process.env.DOCKER_FIREWALL_TRACE === '1';

/** The prefix of our marks on the performance timeline. */
export const TRACE_PREFIX = 'dfw:';

export function traceMark(name: string): void {
  if (TRACING) performance.mark(`${TRACE_PREFIX}${name}`);
}

export function isTracing(): boolean {
  return TRACING;
}
