import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationChoices, durationLabel, durationProblem, durationText } from '../../../../src/vscode/ui/durationChoices';

test('the duration pick offers "Until I take it back" first (Enter keeps an allow as allows always were), then 15 min, 1 h, 8 h, 1 day', () => {
  assert.deepEqual(
    durationChoices().map((c) => [c.label, c.forSeconds]),
    [
      ['Until I take it back', undefined],
      ['15 minutes', 900],
      ['1 hour', 3600],
      ['8 hours', 28800],
      ['1 day', 86400],
    ],
  );
});

test('a typed duration is what --for takes: 10 s to 90 days, a number and a unit', () => {
  assert.equal(durationProblem('30s'), undefined);
  assert.equal(durationProblem(' 10s '), undefined);
  assert.equal(durationProblem('90d'), undefined);
  assert.match(durationProblem('5s') ?? '', /too short: an allow lasts at least 10s/);
  assert.match(durationProblem('0s') ?? '', /too short/);
  assert.match(durationProblem('91d') ?? '', /too long/);
  assert.match(durationProblem('1y') ?? '', /not a duration/);
  assert.match(durationProblem('') ?? '', /not a duration/);
  assert.match(durationProblem('10') ?? '', /not a duration/);
});

test('a duration reads as a person says it', () => {
  assert.equal(durationText(undefined), '');
  assert.equal(durationText(900), 'for 15 min');
  assert.equal(durationText(3600), 'for 1 h');
  assert.equal(durationText(86400 + 3 * 3600), 'for 1 d 3 h');
  assert.equal(durationText(15), 'for 15 s');
  assert.equal(durationLabel(86400 + 3 * 3600), '1 d 3 h', 'as the user reads it: the same amount');
});
