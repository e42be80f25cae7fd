import { isTracing, TRACE_PREFIX } from '../core/trace';

/** How each trace line starts on stderr; bench/lib/cliTrace.ts parses them. */
export const TRACE_LINE_PREFIX = 'docker-firewall trace: ';

/** One mark as a line: epoch milliseconds (microsecond precision, the same clock as a parent's `performance.timeOrigin + now()`) and its name. */
export function traceLine(epochMs: number, name: string): string {
  return `${TRACE_LINE_PREFIX}${epochMs.toFixed(3)} ${name}\n`;
}

/**
 * With DOCKER_FIREWALL_TRACE=1, prints our marks (src/core/trace.ts) to stderr as the process exits,
 * after the output: the process start as Node saw it, then each mark, then the exit itself. Nothing
 * is written while the command runs, so the trace costs the run nothing but the marks.
 */
export function printTraceOnExit(): void {
  if (!isTracing()) return;
  process.once('exit', () => {
    const origin = performance.timeOrigin;
    let text = traceLine(origin, 'process-start');
    for (const mark of performance.getEntriesByType('mark')) {
      if (mark.name.startsWith(TRACE_PREFIX)) text += traceLine(origin + mark.startTime, mark.name.slice(TRACE_PREFIX.length));
    }
    text += traceLine(origin + performance.now(), 'exit');
    // Synchronous on a pipe or file, which is what a reader of the trace gives us.
    process.stderr.write(text);
  });
}
