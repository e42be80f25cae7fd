import { summarize, type Summary } from './stats';

/** What bench/results/latest.json holds; docs/performance.md is rendered from it alone. */
export interface BenchResults {
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineFacts;
  readonly sections: readonly Section[];
  /** Measurements left out on this run (`--only`), or that failed, with why. */
  readonly skipped: readonly string[];
}

export interface MachineFacts {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly os: string;
  readonly node: string;
  readonly dockerHosts: string;
  readonly dockerCli: string;
  readonly openssh: string;
  readonly iperf3: string;
  readonly libraries: string;
  /** 1-minute load average before and after the run: other labs share the machine. */
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly lab: string;
}

export type Unit = 'ms' | 'Gbit/s';

/** One contender's samples, summarised, with what it cost in connections and channels. */
export interface Variant {
  readonly label: string;
  readonly summary: Summary;
  readonly samples: readonly number[];
  /** SSH connections per operation: (ours) our session's counter, (baselines) sshd's log. */
  readonly sshConnections?: number | undefined;
  /** For ours: sshd's own count, to check the session's counter against. */
  readonly sshConnectionsSshdLog?: number | undefined;
  /** For ours: exec and forwarding channels per operation. */
  readonly execChannels?: number | undefined;
  readonly streamChannels?: number | undefined;
}

export interface Comparison {
  readonly id: string;
  readonly title: string;
  readonly unit: Unit;
  readonly ours: Variant;
  readonly baseline: Variant;
  /** ours.median / baseline.median. */
  readonly ratio: number;
}

/** A single number with no baseline of its own (sizes, activation), with a target where there is one. */
export interface Fact {
  readonly id: string;
  readonly title: string;
  readonly value: string;
  readonly target?: string | undefined;
  readonly met?: boolean | undefined;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  /** What is measured and how, for the report. */
  readonly method: readonly string[];
  /** How many runs each contender had, when the section says it itself (else the report counts them and assumes one warm-up round). */
  readonly runs?: string | undefined;
  readonly comparisons: readonly Comparison[];
  readonly facts: readonly Fact[];
  /** Observations from this run (sanity checks, surprises). */
  readonly notes: readonly string[];
  /** Operations that hit the lost-exit-status race (run again, or failed reads in the view runs). */
  readonly lostExitStatus?: number | undefined;
}

export function variant(label: string, samples: readonly number[], costs: Omit<Variant, 'label' | 'summary' | 'samples'> = {}): Variant {
  return { label, summary: summarize(samples), samples: samples.map((s) => round(s, 3)), ...costs };
}

export function compare(id: string, title: string, unit: Unit, ours: Variant, baseline: Variant): Comparison {
  return { id, title, unit, ours, baseline, ratio: ours.summary.median / baseline.summary.median };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** One note per section for runs that hit the lost-exit-status race and were run again. */
export function retriedNotes(retried: readonly string[]): string[] {
  if (retried.length === 0) return [];
  const where = new Map<string, number>();
  for (const entry of retried) {
    const label = entry.slice(0, entry.indexOf(':'));
    where.set(label, (where.get(label) ?? 0) + 1);
  }
  const list = [...where].map(([label, n]) => `${label} ×${n}`).join(', ');
  return [
    `**${retried.length} run(s) failed with "${retried[0]!.slice(retried[0]!.indexOf(':') + 2)}" and were run again** (${list}). ` +
      'This is the product\'s lost-exit-status race (see "Known issues" below), not a network failure.',
  ];
}
