import { TRACE_LINE_PREFIX } from '../../src/cli/trace';
import { median } from './stats';

/**
 * The CLI's own breakdown of one run: the marks it prints with DOCKER_FIREWALL_TRACE=1
 * (src/cli/trace.ts), placed between the moment the benchmark spawned it and the moment it saw
 * the process exit. Every time is epoch milliseconds on the same clock in both processes
 * (`performance.timeOrigin + performance.now()`).
 */
export interface TraceMark {
  readonly name: string;
  readonly at: number;
}

/** A step of the timeline: when it ended after the spawn, and how long since the step before. */
export interface TimelineStep {
  readonly name: string;
  readonly offsetMs: number;
  readonly gapMs: number;
}

export const SPAWNED = 'spawned';
export const REAPED = 'reaped';

/** Our marks from a run's stderr, in the order printed; other lines (errors, warnings) are left alone. */
export function parseTrace(stderr: string): TraceMark[] {
  const marks: TraceMark[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith(TRACE_LINE_PREFIX)) continue;
    const match = /^(\d+(?:\.\d+)?) (\S.*)$/.exec(line.slice(TRACE_LINE_PREFIX.length));
    if (match === null) throw new Error(`not a trace line: ${JSON.stringify(line)}`);
    marks.push({ name: match[2]!, at: Number(match[1]) });
  }
  return marks;
}

/**
 * One run as steps from the spawn (offset 0) to the parent seeing the exit ("reaped"), in time
 * order; each step's gap is the time since the one before. Marks of the same name (two execs of
 * one program) get " #2", " #3" so that runs line up.
 */
export function timeline(marks: readonly TraceMark[], spawnedAt: number, reapedAt: number): TimelineStep[] {
  const seen = new Map<string, number>();
  const named = marks.map((m) => {
    const n = (seen.get(m.name) ?? 0) + 1;
    seen.set(m.name, n);
    return { name: n === 1 ? m.name : `${m.name} #${n}`, at: m.at };
  });
  const all = [{ name: SPAWNED, at: spawnedAt }, ...named.sort((a, b) => a.at - b.at), { name: REAPED, at: reapedAt }];
  return all.map((m, i) => ({ name: m.name, offsetMs: m.at - spawnedAt, gapMs: i === 0 ? 0 : m.at - all[i - 1]!.at }));
}

/**
 * Several runs' timelines as one: for each step that every run has, the median of its offsets and of
 * its gaps, ordered by the median offset. A step missing from some run is left out and named.
 */
export function medianTimeline(runs: readonly TimelineStep[][]): { steps: TimelineStep[]; partial: string[] } {
  const byName = new Map<string, TimelineStep[]>();
  for (const run of runs) for (const step of run) byName.set(step.name, [...(byName.get(step.name) ?? []), step]);
  const steps: TimelineStep[] = [];
  const partial: string[] = [];
  for (const [name, found] of byName) {
    if (found.length !== runs.length) {
      partial.push(name);
      continue;
    }
    steps.push({ name, offsetMs: median(found.map((s) => s.offsetMs)), gapMs: median(found.map((s) => s.gapMs)) });
  }
  return { steps: steps.sort((a, b) => a.offsetMs - b.offsetMs), partial };
}

/** What each step of the timeline is, for the report: the time that ends at that mark. */
export function describeStep(name: string): string {
  const fixed: Record<string, string> = {
    [SPAWNED]: 'spawn',
    'process-start': 'spawn to Node process start (`performance.timeOrigin`)',
    'cli-start': 'Node start-up to the first line of dist/cli.js',
    'bundle-compiled': 'dist/cli-main.js read and compiled (with the code cache the first run wrote)',
    'cli-loaded': 'bundle load: evaluating its modules',
    'ssh-config-read': 'ssh config read and resolved',
    'known-hosts-read': 'known_hosts read',
    'tcp-connected': 'TCP connect',
    'key-exchange-done': 'key exchange (with the host key check)',
    authenticated: 'authentication',
    'output-written': 'output written',
    exit: 'Node exiting (`exit` event)',
    [REAPED]: 'process gone (the benchmark sees the exit)',
  };
  const known = fixed[name];
  if (known !== undefined) return known;
  if (name.startsWith('docker ')) return `remote call done: Docker API, ${name.slice('docker '.length)}`;
  if (name.startsWith('exec ')) return `remote call done: exec of \`${name.slice('exec '.length)}\``;
  return name;
}
