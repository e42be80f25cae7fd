import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSections } from '../../../bench/lib/mergeSections';
import type { BenchResults, Section } from '../../../bench/lib/results';

const section = (id: string, notes: string[] = []): Section => ({ id, title: id, method: [], comparisons: [], facts: [], notes });
const results = (startedAt: string, sections: Section[], lab: string): BenchResults =>
  ({ version: 1, startedAt, finishedAt: startedAt, durationSeconds: 1, machine: { lab, loadBefore: 1.5, loadAfter: 2.5 }, sections, skipped: [] }) as unknown as BenchResults;

test('--merge: the sections measured again replace theirs in place, each with a note of when and where; the rest and the header stay the full run\'s', () => {
  const full = results('2026-12-05T00:00:00.000Z', [section('environment'), section('inventory'), section('cli', ['old']), section('lockdown')], 'bench123: 10 hosts');
  const partial = results('2026-12-05T11:30:00.000Z', [section('environment', ['other env']), section('cli', ['new'])], 'dfa: 2 hosts');
  const merged = mergeSections(full, partial, ['cli']);
  assert.deepEqual(merged.sections.map((s) => s.id), ['environment', 'inventory', 'cli', 'lockdown']);
  assert.equal(merged.sections[0], full.sections[0], 'the environment of the full run is kept');
  const cli = merged.sections[2]!;
  assert.equal(cli.notes[0], 'new');
  assert.match(cli.notes[1]!, /measured again on 2026-12-05 11:30:00 UTC.*on lab dfa: 2 hosts; load average \(1 min\) before \/ after: 1.5 \/ 2.5/);
  assert.equal(merged.startedAt, full.startedAt);
  assert.throws(() => mergeSections(full, partial, ['refresh']), /has no section refresh/);
});
