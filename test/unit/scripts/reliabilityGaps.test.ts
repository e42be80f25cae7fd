import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../../scripts/reliability-report';
import type { FigureRecord } from '../../support/figures';

/** A late-publish measurement of one run, as latePublish.test.ts records it: passed, with or without its goal met. */
const latePublish = (host: string, goalMet: boolean, ipv6WindowMs: number): FigureRecord => ({
  item: 'late-publish',
  host,
  docker: '20.10.24+dfsg1',
  lab: 'ci0',
  run: 'run-1',
  at: '2026-12-06T21:17:00.000Z',
  case: 'new network',
  outcome: 'pass',
  setup: { port: 8097 },
  figures: { ipv4WindowMs: 0, ipv6WindowMs, goalMet },
});

const gaps = (report: string) => report.slice(report.indexOf('## Known gaps'), report.indexOf('Not tested by this suite'));

test('Known gaps list a measurement that passed its test but missed its goal, with its windows', () => {
  const report = renderReport([latePublish('h1', false, 1671), latePublish('h3', true, 242)]);
  assert.match(gaps(report), /- \*\*goal missed\*\*: Ports published after Block, h1 \(Docker 20\.10\.24\+dfsg1\), new network: ipv4WindowMs 0, ipv6WindowMs 1671\n/);
  assert.doesNotMatch(gaps(report), /goal missed\*\*: [^\n]*h3/);
});
