import type { BenchResults, Comparison, Fact, Section, Variant } from './lib/results';
import { round } from './lib/results';

// ---- cells ---------------------------------------------------------------------------

function value(v: Variant, unit: Comparison['unit']): string {
  const s = v.summary;
  if (unit === 'Gbit/s') return `${round(s.median, 2)} Gbit/s (${round(s.min, 2)}–${round(s.max, 2)})`;
  return `${fmtMs(s.median)} (p90 ${fmtMs(s.p90)})`;
}

function fmtMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${round(ms, 1)} ms`;
}

function ratio(c: Comparison): string {
  return c.unit === 'Gbit/s' ? round(c.ratio, 3).toFixed(3) : round(c.ratio, 2).toFixed(2);
}

function connections(c: Comparison): string {
  const ours = c.ours.sshConnections;
  const base = c.baseline.sshConnections;
  if (ours === undefined && base === undefined) return '';
  const checked = c.ours.sshConnectionsSshdLog !== undefined && c.ours.sshConnectionsSshdLog !== ours ? ` (sshd: ${c.ours.sshConnectionsSshdLog})` : '';
  return `${ours ?? '–'}${checked} / ${base ?? '–'}`;
}

function channels(v: Variant): string {
  if (v.execChannels === undefined) return '';
  return `${v.execChannels} exec + ${v.streamChannels ?? 0} socket`;
}

function runsOf(section: Section): string | undefined {
  if (section.runs !== undefined) return section.runs;
  const counts = new Set(section.comparisons.flatMap((c) => [c.ours.summary.n, c.baseline.summary.n]));
  if (counts.size === 0) return undefined;
  return `${[...counts].sort((a, b) => a - b).join(' or ')} runs per contender (after one warm-up round, thrown away), contenders alternating round by round.`;
}

// ---- targets ---------------------------------------------------------------------------

interface TargetRow {
  readonly target: string;
  readonly result: string;
  readonly met: boolean | undefined;
}

function findComparison(results: BenchResults, id: string): Comparison | undefined {
  for (const s of results.sections) for (const c of s.comparisons) if (c.id === id) return c;
  return undefined;
}

function findFact(results: BenchResults, id: string): Fact | undefined {
  for (const s of results.sections) for (const f of s.facts) if (f.id === id) return f;
  return undefined;
}

const NOT_MEASURED = { result: 'not measured on this run', met: undefined };

export function targetRows(results: BenchResults): TargetRow[] {
  const rows: TargetRow[] = [];
  const inv = findComparison(results, 'inventory-h1-warm-vs-cli');
  const invDockerode = findComparison(results, 'inventory-h1-warm-vs-dockerode');
  const invCold = findComparison(results, 'inventory-h1-cold-vs-cli');
  rows.push({
    target: "A host's inventory and firewall status in one SSH connection, fewest round trips",
    ...(inv && invDockerode && invCold
      ? {
          result:
            `${inv.title.replace(/^Inventory \+ firewall, /, '')}: ${fmtMs(inv.ours.summary.median)} on an open connection (${channels(inv.ours)} channels, no new connection), ` +
            `${fmtMs(invCold.ours.summary.median)} with a new one (${invCold.ours.sshConnections} connection); ` +
            `\`docker -H ssh://\` ps ${fmtMs(inv.baseline.summary.median)} (${inv.baseline.sshConnections} connection, containers only), ` +
            `dockerode ssh ${fmtMs(invDockerode.baseline.summary.median)} (${invDockerode.baseline.sshConnections} connections)`,
          met: inv.ours.sshConnections === 0 && invCold.ours.sshConnections === 1 && inv.ours.execChannels === 1,
        }
      : NOT_MEASURED),
  });
  const lock = findComparison(results, 'lockdown-reading');
  const lockWarm = findComparison(results, 'lockdown-warm');
  const allow = findComparison(results, 'allow-reading');
  rows.push({
    target: 'Applying block/allow/deny: one round trip (or fewer) per address family',
    ...(lock && lockWarm && allow
      ? {
          result:
            `lockdown ${fmtMs(lock.ours.summary.median)} in ${lock.ours.execChannels} exec for both families from the view's reading ` +
            `(${fmtMs(lockWarm.ours.summary.median)} with its own read); the 2017 recipe ${fmtMs(lock.baseline.summary.median)} in ` +
            `${lock.baseline.sshConnections} SSH connections, IPv4 only. Allow: ${fmtMs(allow.ours.summary.median)} vs ${fmtMs(allow.baseline.summary.median)}`,
          met: lock.ours.execChannels === 1 && allow.ours.execChannels === 1,
        }
      : NOT_MEASURED),
  });
  const psCli = findComparison(results, 'cli-h1-ps-vs-docker');
  const statusCli = findComparison(results, 'cli-h1-status-vs-docker');
  const floor = findFact(results, 'cli-h1-floor');
  for (const [target, comparison, fact] of [
    ['`docker-firewall --json ps` as a new process at most 0.7× `docker -H ssh:// ps`', psCli, findFact(results, 'cli-h1-ps-target')],
    ['`docker-firewall --json status` (also reads the firewall) as a new process at most 1.0× `docker -H ssh:// ps`', statusCli, findFact(results, 'cli-h1-status-target')],
  ] as const) {
    rows.push({
      target,
      ...(comparison && fact
        ? {
            result:
              `${comparison.title.replace(/^CLI process, /, '')}: ${fmtMs(comparison.ours.summary.median)} against ${fmtMs(comparison.baseline.summary.median)}, ${fact.value}` +
              `${floor ? `; the floor (\`ssh HOST true\`): ${floor.value.replace(/;.*$/, '')}` : ''}`,
            met: fact.met,
          }
        : NOT_MEASURED),
    });
  }
  const refresh = findFact(results, 'refresh-10-vs-slowest');
  const refreshCli = findComparison(results, 'refresh-10-cli');
  rows.push({
    target: 'Refreshing 10 hosts runs them in parallel: total close to the slowest host, not the sum',
    ...(refresh
      ? {
          result:
            `${refresh.value}${refreshCli ? `; \`docker -H ssh://\` ps on each in turn ${fmtMs(refreshCli.baseline.summary.median)}` : ''}. ` +
            `Counted as met when the total is nearer the slowest host alone than the sum: here the hosts share ${results.machine.cpus} cores with the client.`,
          met: refresh.met,
        }
      : NOT_MEASURED),
  });
  const fleet = findFact(results, 'fleet-refresh-vs-slowest');
  rows.push({
    target: 'A fleet of 50 hosts: a cold refresh of all of them within 3× the slowest single host',
    ...(fleet
      ? { result: `${fleet.value}. Here all 50 hosts share ${results.machine.cpus} cores with the client.`, met: fleet.met }
      : NOT_MEASURED),
  });
  const fleetMemory = findFact(results, 'fleet-extension-memory');
  rows.push({
    target: "The extension host's memory grows by under 2 MB per host shown",
    ...(fleetMemory ? { result: fleetMemory.value.replace(/ Samples: .*$/, ''), met: fleetMemory.met } : NOT_MEASURED),
  });
  const activation = findFact(results, 'activation-total');
  const real = findFact(results, 'activation-code-server');
  const quiet = findFact(results, 'activation-connections');
  rows.push({
    target: 'The extension activates in well under 100 ms and connects to nothing until a view is shown',
    ...(activation && quiet
      ? {
          // Judged on VS Code's own measurement where the run has one; the stand-in measures our code alone.
          result:
            `${real ? `in code-server, as its extension host measures it: ${real.value}; ` : ''}` +
            `our code alone, with a stand-in for \`vscode\`: ${activation.value}; ${quiet.value}`,
          met: (real ?? activation).met === true && quiet.met === true,
        }
      : NOT_MEASURED),
  });
  const size = (bundle: string) => findFact(results, `size-${bundle}`)?.value;
  const [ext, ssh2, dockerode, cli, cliMain] = ['dist/extension.js', 'dist/lib/ssh2.js', 'dist/lib/dockerode.js', 'dist/cli.js', 'dist/cli-main.js'].map(size);
  // Results from before the engine's libraries were bundled apart have no dist/lib/ sizes.
  const libraries = ssh2 && dockerode ? `, and on the first host read dist/lib/ssh2.js ${ssh2} and dist/lib/dockerode.js ${dockerode}` : '';
  rows.push({
    target: 'The bundle stays small (report its size)',
    ...(ext && cli ? { result: `dist/extension.js ${ext}${libraries}; dist/cli.js ${cli}${cliMain ? ` (the launcher) and dist/cli-main.js ${cliMain}` : ''}`, met: undefined } : NOT_MEASURED),
  });
  const throughput = findFact(results, 'throughput-100-ratio');
  const spread = findComparison(results, 'throughput-locked-100');
  rows.push({
    target: 'Forwarded throughput through a locked host with 100 allows within a few percent of an unlocked host',
    ...(throughput && spread
      ? {
          result:
            `locked with 100 allows / unlocked ${throughput.value}; unlocked runs spread ${round(spread.baseline.summary.min, 2)}–` +
            `${round(spread.baseline.summary.max, 2)} Gbit/s`,
          met: throughput.met,
        }
      : NOT_MEASURED),
  });
  return rows;
}

const mark = (met: boolean | undefined) => (met === undefined ? '–' : met ? 'yes' : '**no**');

// ---- markdown --------------------------------------------------------------------------

const esc = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)];
}

function comparisonTable(section: Section): string[] {
  if (section.comparisons.length === 0) return [];
  const isThroughput = section.comparisons.every((c) => c.unit === 'Gbit/s');
  const header = isThroughput
    ? ['Measurement', 'Ours', 'median (min–max)', 'Baseline', 'median (min–max)', 'Ours / baseline']
    : ['Measurement', 'Ours', 'median (p90)', 'Baseline', 'median (p90)', 'Ours / baseline', 'SSH connections, ours / baseline', 'Our channels'];
  const rows = section.comparisons.map((c) => {
    const base = [c.title, c.ours.label, value(c.ours, c.unit), c.baseline.label, value(c.baseline, c.unit), ratio(c)];
    return isThroughput ? base : [...base, connections(c), channels(c.ours)];
  });
  return mdTable(header, rows);
}

function factTable(facts: readonly Fact[]): string[] {
  if (facts.length === 0) return [];
  const withTargets = facts.some((f) => f.target !== undefined);
  return withTargets
    ? mdTable(['What', 'Measured', 'Target', 'Met'], facts.map((f) => [f.title, f.value, f.target ?? '', f.target === undefined ? '' : mark(f.met)]))
    : mdTable(['What', 'Measured'], facts.map((f) => [f.title, f.value]));
}

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

export function renderMarkdown(results: BenchResults, knownIssues: readonly string[]): string {
  const m = results.machine;
  const started = results.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const lines: string[] = [
    '# Performance',
    '',
    `_Generated by \`npm run bench\` on ${started} (${duration(results.durationSeconds)} from lab up to the last measurement). ` +
      'Do not edit by hand: run the benchmark again. Raw samples are in `bench/results/latest.json`; how the benchmark works is in ' +
      '[bench/README.md](../bench/README.md)._',
    '',
    'Every number below was measured in one run, ours and the baselines side by side, against real Docker hosts (sshd and dockerd in ' +
      "network namespaces on this machine, see [lab/README.md](../lab/README.md)), from the lab's outside namespace as a user's machine " +
      'would. Times are wall-clock medians; "ours / baseline" is the ratio of the medians, so below 1 means ours is faster (for throughput, ' +
      'locked / unlocked, so 1 means no cost).',
    '',
    '## Targets',
    '',
    ...mdTable(['Target', 'This run', 'Met'], targetRows(results).map((r) => [r.target, r.result, mark(r.met)])),
    '',
    '## Machine',
    '',
    ...mdTable(
      ['', ''],
      [
        ['CPU', `${m.cpus} × ${m.cpuModel}`],
        ['Memory', `${m.memoryGiB} GiB`],
        ['OS, kernel', `${m.os}, Linux ${m.kernel}`],
        ['Node', m.node],
        ['Docker on the hosts', m.dockerHosts],
        ['Docker CLI (baseline)', m.dockerCli],
        ['OpenSSH', m.openssh],
        ['iperf3', m.iperf3],
        ['Libraries', m.libraries],
        ['Lab', m.lab],
        ['Load average (1 min) before / after', `${m.loadBefore} / ${m.loadAfter}`],
      ],
    ),
    '',
  ];
  for (const section of results.sections) {
    lines.push(`## ${section.title}`, '');
    for (const line of section.method) lines.push(`- ${line}`);
    const runs = runsOf(section);
    if (runs !== undefined) lines.push(`- ${runs}`);
    lines.push('');
    const table = comparisonTable(section);
    if (table.length > 0) lines.push(...table, '');
    const facts = factTable(section.facts);
    if (facts.length > 0) lines.push(...facts, '');
    for (const note of section.notes) lines.push(`> ${note}`, '>');
    if (section.notes.length > 0) lines.pop();
    if (section.notes.length > 0) lines.push('');
  }
  if (knownIssues.length > 0) {
    lines.push('## Known issues found by this benchmark', '');
    for (const issue of knownIssues) lines.push(`- ${issue}`);
    lines.push('');
  }
  if (results.skipped.length > 0) {
    lines.push('## Not measured on this run', '');
    for (const s of results.skipped) lines.push(`- ${s}`);
    lines.push('');
  }
  return lines.join('\n');
}

// ---- console ---------------------------------------------------------------------------

function pad(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** The table printed at the end of a run: every comparison and fact, one line each. */
export function renderConsole(results: BenchResults): string {
  const out: string[] = [];
  for (const section of results.sections) {
    out.push('', `== ${section.title}`);
    if (section.comparisons.length > 0) {
      const rows = [['measurement', 'ours', 'median', 'baseline', 'median', 'ratio', 'ssh conns'], ...section.comparisons.map((c) => [
        c.title,
        c.ours.label,
        value(c.ours, c.unit),
        c.baseline.label,
        value(c.baseline, c.unit),
        ratio(c),
        connections(c),
      ])];
      out.push(...pad(rows));
    }
    for (const f of section.facts) out.push(`- ${f.title}: ${f.value}${f.target !== undefined ? `  [target: ${f.target}: ${f.met ? 'met' : 'NOT met'}]` : ''}`);
    for (const n of section.notes) out.push(`! ${n.replace(/\*\*/g, '')}`);
  }
  out.push('', '== Targets');
  for (const r of targetRows(results)) out.push(`- [${r.met === undefined ? '-' : r.met ? 'x' : '!'}] ${r.target}: ${r.result}`);
  if (results.skipped.length > 0) out.push('', '== Not measured', ...results.skipped.map((s) => `- ${s}`));
  return out.join('\n');
}
