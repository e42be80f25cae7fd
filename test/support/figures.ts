// Figures that the reliability suite measures (faults injected, rounds, inputs tried...), one JSON
// line per measurement in test-results/reliability.jsonl. scripts/reliability-report.ts renders
// them into docs/reliability.md; nothing in that page is written by hand.
//
// Every measurement says whether its test passed or failed (with the error), and keeps apart what
// the test observed (`figures`) from what it set up (`setup`: how many faults it meant to inject, a
// seed, how long a lock was held): only the former are results. Records belong to a run
// (DFW_RUN_ID, set by scripts/run-node-tests.mjs): the file holds one run, the latest.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, type Lab, type LabHost } from './lab';

export const FIGURES_FILE = join(REPO_ROOT, 'test-results', 'reliability.jsonl');

export type Figure = number | string | boolean;
export type Outcome = 'pass' | 'fail';

export interface FigureRecord {
  /** Which item of the reliability plan (see scripts/reliability-report.ts ITEMS). */
  readonly item: string;
  /** Lab host measured ("h1"), or null for measurements that need no host. */
  readonly host: string | null;
  /** Its Docker server version. */
  readonly docker: string | null;
  readonly lab: string;
  /** The run this measurement belongs to (scripts/run-node-tests.mjs sets DFW_RUN_ID). */
  readonly run: string;
  /** ISO time of the measurement. */
  readonly at: string;
  /** Which case of the item ("bytes", "restart, crash, recreated containers"), or null. */
  readonly case: string | null;
  readonly outcome: Outcome;
  /** The failure, when outcome is fail. */
  readonly error?: string | undefined;
  /** Facts of the set-up (chosen by the test, not observed): shown apart from the results. */
  readonly setup: Readonly<Record<string, Figure>>;
  /** What the test observed. */
  readonly figures: Readonly<Record<string, Figure>>;
}

const PROCESS_RUN = `${new Date().toISOString()} pid ${process.pid}`;

/** The run measurements are filed under: DFW_RUN_ID, or this process alone when run by hand. */
export function runId(): string {
  return process.env.DFW_RUN_ID || PROCESS_RUN;
}

export interface Measurement {
  readonly case?: string | undefined;
  readonly setup?: Readonly<Record<string, Figure>> | undefined;
  readonly figures: Readonly<Record<string, Figure>>;
  readonly outcome: Outcome;
  readonly error?: string | undefined;
}

export function recordFigures(lab: Lab | { name: string }, item: string, host: Pick<LabHost, 'name' | 'docker'> | undefined, m: Measurement, file = FIGURES_FILE): FigureRecord {
  const record: FigureRecord = {
    item,
    host: host?.name ?? null,
    docker: host?.docker ?? null,
    lab: lab.name,
    run: runId(),
    at: new Date().toISOString(),
    case: m.case ?? null,
    outcome: m.outcome,
    ...(m.error === undefined ? {} : { error: m.error }),
    setup: m.setup ?? {},
    figures: m.figures,
  };
  mkdirSync(dirname(file), { recursive: true });
  // One run per file: the first record of a new run replaces what an earlier run left.
  if (existsSync(file) && firstRun(file) !== record.run) writeFileSync(file, '');
  appendFileSync(file, `${JSON.stringify(record)}\n`);
  return record;
}

function firstRun(file: string): string | undefined {
  const first = readFileSync(file, 'utf8').split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return undefined;
  const parsed = JSON.parse(first) as { run?: unknown };
  return typeof parsed.run === 'string' ? parsed.run : undefined;
}

/**
 * Runs a measured test body and records its figures whatever happens: the body fills `figures` as
 * it observes; a failure is recorded as such, with the figures observed up to it, and rethrown.
 */
export async function measure(
  lab: Lab | { name: string },
  item: string,
  host: Pick<LabHost, 'name' | 'docker'> | undefined,
  what: { case?: string; setup?: Readonly<Record<string, Figure>> },
  body: (figures: Record<string, Figure>) => Promise<void>,
): Promise<void> {
  const figures: Record<string, Figure> = {};
  try {
    await body(figures);
  } catch (error) {
    recordFigures(lab, item, host, { ...what, figures, outcome: 'fail', error: firstLine(error) });
    throw error;
  }
  recordFigures(lab, item, host, { ...what, figures, outcome: 'pass' });
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((l) => l.trim() !== '')?.slice(0, 400) ?? text.slice(0, 400);
}

/**
 * One measurement made by several tests of a suite: each test body is wrapped by `track` (the first
 * failure is remembered, passes are counted), the tests add to `figures`, and `record` (in the
 * suite's `after`) files them once: failed if a test failed or fewer than `tests` passed (one was
 * skipped, or never reached).
 */
export function suiteMeasurement(lab: () => Lab | { name: string }, item: string, host: () => Pick<LabHost, 'name' | 'docker'> | undefined, what: { case?: string; setup?: Readonly<Record<string, Figure>> }) {
  const figures: Record<string, Figure> = {};
  let error: string | undefined;
  let passed = 0;
  return {
    figures,
    track<A extends unknown[]>(body: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
      return async (...args: A) => {
        try {
          await body(...args);
          passed++;
        } catch (e) {
          error ??= firstLine(e);
          throw e;
        }
      };
    },
    record(tests: number): FigureRecord {
      const problem = error ?? (passed < tests ? `only ${passed} of the suite's ${tests} tests passed` : undefined);
      return recordFigures(lab(), item, host(), { ...what, figures, outcome: problem === undefined ? 'pass' : 'fail', error: problem });
    },
  };
}
