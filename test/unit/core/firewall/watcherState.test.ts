import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWatcherState, watcherWanted } from '../../../../src/core/firewall/watcherState';

const DIGEST = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

test('a running watcher whose script is the one we would install is current, and wanted no more', () => {
  const state = parseWatcherState(['running 42', `script ${DIGEST}`], DIGEST);
  assert.deepEqual(state, { running: true, via: 'process', noDocker: false, current: true });
  assert.equal(watcherWanted(state), false);
});

test('a running watcher with another script (another version, or edited), or with its file gone, is wanted again: replaced', () => {
  for (const lines of [['systemd active', `script ${OTHER}`], ['running 42']]) {
    const state = parseWatcherState(lines, DIGEST);
    assert.equal(state.running, true, lines.join());
    assert.equal(state.current, false, lines.join());
    assert.equal(watcherWanted(state), true, lines.join());
  }
});

test('without an expected script nothing is compared; without Docker no watcher is wanted', () => {
  assert.equal(parseWatcherState(['running 42', `script ${OTHER}`]).current, undefined);
  assert.equal(watcherWanted(parseWatcherState(['running 42', `script ${OTHER}`])), false);
  assert.equal(watcherWanted(parseWatcherState(['no-docker', `script ${OTHER}`], DIGEST)), false);
  assert.equal(watcherWanted(parseWatcherState([], DIGEST)), true, 'not running');
});

test('a digest line that is not 64 hex digits is no digest', () => {
  assert.equal(parseWatcherState(['running 1', `script ${DIGEST}x`], DIGEST).current, false);
  assert.equal(parseWatcherState(['running 1', `script ${DIGEST.toUpperCase()}`], DIGEST).current, false);
});
