import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeStep, medianTimeline, parseTrace, timeline } from '../../../bench/lib/cliTrace';
import { traceLine } from '../../../src/cli/trace';

describe("the CLI's trace, as the benchmark reads it", () => {
  test('parses the lines the CLI prints and ignores the rest of stderr', () => {
    const stderr = `docker-firewall: h9: Could not connect\n${traceLine(1000.5, 'process-start')}${traceLine(1012.25, 'docker list containers')}`;
    assert.deepEqual(parseTrace(stderr), [
      { name: 'process-start', at: 1000.5 },
      { name: 'docker list containers', at: 1012.25 },
    ]);
  });

  test('a trace line that does not parse is an error, not a silent gap', () => {
    assert.throws(() => parseTrace('docker-firewall trace: soon cli-start\n'), /not a trace line/);
  });

  test('a run becomes steps from the spawn to the reaped process, in time order, with gaps; repeated names are numbered', () => {
    const marks = [
      { name: 'process-start', at: 105 },
      { name: 'exec sh', at: 160 },
      { name: 'authenticated', at: 150 },
      { name: 'exec sh', at: 170 },
    ];
    assert.deepEqual(timeline(marks, 100, 180), [
      { name: 'spawned', offsetMs: 0, gapMs: 0 },
      { name: 'process-start', offsetMs: 5, gapMs: 5 },
      { name: 'authenticated', offsetMs: 50, gapMs: 45 },
      { name: 'exec sh', offsetMs: 60, gapMs: 10 },
      { name: 'exec sh #2', offsetMs: 70, gapMs: 10 },
      { name: 'reaped', offsetMs: 80, gapMs: 10 },
    ]);
  });

  test('runs are combined step by step as medians, ordered by offset; a step some runs lack is named, not averaged', () => {
    const run = (auth: number, extra: boolean) => timeline([{ name: 'authenticated', at: 100 + auth }, ...(extra ? [{ name: 'exec sh #2', at: 300 }] : [])], 100, 400);
    const { steps, partial } = medianTimeline([run(10, false), run(30, true), run(20, false)]);
    assert.deepEqual(
      steps.map((s) => [s.name, s.offsetMs]),
      [
        ['spawned', 0],
        ['authenticated', 20],
        ['reaped', 300],
      ],
    );
    assert.deepEqual(partial, ['exec sh #2']);
  });

  test('every step has words for the report; remote calls name what they were', () => {
    assert.match(describeStep('docker list containers'), /Docker API, list containers/);
    assert.match(describeStep('exec sh'), /exec of `sh`/);
    assert.match(describeStep('key-exchange-done'), /key exchange/);
  });
});
