// Figures that the reliability suite measures (faults injected, rounds, inputs tried...), one JSON
// line per measurement in test-results/reliability.jsonl. scripts/reliability-report.ts renders
// them into docs/reliability.md; nothing in that page is written by hand.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, type Lab, type LabHost } from './lab';

export const FIGURES_FILE = join(REPO_ROOT, 'test-results', 'reliability.jsonl');

export type Figure = number | string | boolean;

export interface FigureRecord {
  /** Which item of the reliability plan (see scripts/reliability-report.ts ITEMS). */
  readonly item: string;
  /** Lab host measured ("h1"), or null for measurements that need no host. */
  readonly host: string | null;
  /** Its Docker server version. */
  readonly docker: string | null;
  readonly lab: string;
  /** ISO time of the measurement. */
  readonly at: string;
  readonly figures: Readonly<Record<string, Figure>>;
}

export function recordFigures(lab: Lab, item: string, host: LabHost | undefined, figures: Readonly<Record<string, Figure>>, file = FIGURES_FILE): FigureRecord {
  const record: FigureRecord = {
    item,
    host: host?.name ?? null,
    docker: host?.docker ?? null,
    lab: lab.name,
    at: new Date().toISOString(),
    figures,
  };
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(record)}\n`);
  return record;
}
