import type { BenchResults } from './results';

/**
 * The last full results with some sections measured again (--merge): each replaced section says
 * when, on which lab and under which load it was measured, since the page's header and machine
 * table are the full run's.
 */
export function mergeSections(full: BenchResults, partial: BenchResults, ids: readonly string[]): BenchResults {
  const when = partial.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const note =
    `This section was measured again on ${when}, apart from the run the rest of this page comes from (\`npm run bench -- --only ${ids.join(',')} --merge\`), ` +
    `on lab ${partial.machine.lab}; load average (1 min) before / after: ${partial.machine.loadBefore} / ${partial.machine.loadAfter}.`;
  const replaced = new Map(partial.sections.filter((s) => ids.includes(s.id)).map((s) => [s.id, { ...s, notes: [...s.notes, note] }]));
  const missing = ids.filter((id) => !replaced.has(id));
  if (missing.length > 0) throw new Error(`--merge: the run has no section ${missing.join(', ')}`);
  const sections = full.sections.map((s) => replaced.get(s.id) ?? s);
  for (const [id, section] of replaced) if (!full.sections.some((s) => s.id === id)) sections.push(section);
  return { ...full, sections };
}

