import type { Figure, FigureRecord } from '../test/support/figures';
// Renders docs/reliability.md from what the reliability suite measured (test-results/reliability.jsonl,
// one JSON line per measurement, see test/support/figures.ts). Every test file of test/reliability
// runs it when it ends, so the page always holds the latest figures; it can also be run by hand:
//   node --import tsx scripts/reliability-report.ts [RESULTS.jsonl] [OUT.md]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..');
export const DEFAULT_RESULTS = join(REPO_ROOT, 'test-results', 'reliability.jsonl');
export const DEFAULT_REPORT = join(REPO_ROOT, 'docs', 'reliability.md');


interface Item {
  readonly id: string;
  readonly title: string;
  readonly test: string;
  readonly what: string;
}

/** The reliability plan, in the order the page shows it. */
export const ITEMS: readonly Item[] = [
  {
    id: 'daemon-restart',
    title: 'Daemon restart and crash',
    test: 'daemonRestart.test.ts',
    what: 'Locked with 8080 allowed, then dockerd restarted (stop/start), crashed (SIGKILL) and started again, and the containers recreated with new addresses; after each, real connections from outside.',
  },
  {
    id: 'reboot',
    title: 'Reboot, simulated',
    test: 'reboot.test.ts',
    what: 'After `persist`: dockerd stopped, every table of both families flushed and deleted, the restore script run, dockerd started; the blocked port probed from outside all along, from before dockerd starts until it is up.',
  },
  {
    id: 'atomicity',
    title: 'Atomicity under cut connections',
    test: 'atomicity.test.ts',
    what: 'block, allow, deny and unblock with the SSH connection cut at random moments, four ways: after N bytes through a proxy, after a random delay, a random delay after the apply command was sent, and SIGKILL to the connection\'s sshd on the host. After each: iptables-save of both families equals the whole old or the whole new state, and status names that state.',
  },
  {
    id: 'concurrency',
    title: 'Concurrent clients',
    test: 'concurrency.test.ts',
    what: 'Two clients change one host at the same moment: the CLI from the two outside namespaces, and two engines in one process with warm connections (both read before either writes). The end state holds both changes or the loser reports ConcurrentChange; never a duplicate rule. Plus the xtables lock held by another process during an apply (iptables-legacy).',
  },
  {
    id: 'idempotence-drift',
    title: 'Idempotence and drift',
    test: 'idempotenceDrift.test.ts',
    what: 'block and allow repeated: the same rules every time, no transaction sent. Rules added, removed or reordered by hand in our chains: status reports drift-modified, the next apply repairs it to the exact rendering.',
  },
  {
    id: 'host-keys',
    title: 'Host keys',
    test: 'hostKeys.test.ts',
    what: 'Unknown key: refused (exit 3) with nothing run. Changed key (the lab host\'s sshd given new host keys): refused before login, exit 3, nothing changed on the host, not even with --accept-new. The same in the extension (`test/vscode/suite/hostKeys.test.ts`, run by `npm run test:vscode`): the host reads as unreachable with both fingerprints named, Block External Access stops before login.',
  },
  {
    id: 'privilege',
    title: 'Privilege',
    test: 'privilege.test.ts',
    what: 'deploy (passwordless sudo), nosudo (no rights), sudopw (sudo with a password given through the askSudoPassword callback of openHost, asked once per session; not in the docker group, so the Docker API is read through `sudo docker system dial-stdio`).',
  },
  {
    id: 'bad-input',
    title: 'Bad input',
    test: 'badInput.test.ts',
    what: 'fast-check properties over ports, protocols, CIDRs, host specs, chain names and container names drawn with shell metacharacters, newlines and unicode: rejected with exit 2, or accepted and then every command line sent over SSH (recorded by an SSH server) is the shell quoting of validated argv, and every payload line carries only the intended values. A few of the accepted inputs also run against the lab.',
  },
  {
    id: 'collateral',
    title: 'No collateral damage',
    test: 'collateral.test.ts',
    what: 'With the lockdown on: SSH, a host service on INPUT, forwarding through the host that is not Docker\'s, container egress and container-to-container traffic, over IPv4 and IPv6 where they apply.',
  },
  {
    id: 'unlock-exact',
    title: 'Unlock is exact',
    test: 'collateral.test.ts',
    what: 'iptables-save and ip6tables-save of all tables, counters aside, before block and after unblock.',
  },
  {
    id: 'backend-refusal',
    title: 'nftables backend, or no DOCKER-USER',
    test: 'backendRefusal.test.ts',
    what: 'Engine API reporting FirewallBackend nftables (forged, Docker 29 is not available here), and a host whose DOCKER-USER chain is gone: block refused with the reason, no transaction sent, nothing changed.',
  },
];

export function readRecords(file = DEFAULT_RESULTS): FigureRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return isRecord(value) ? [value] : [];
      } catch {
        return [];
      }
    });
}

function isRecord(value: unknown): value is FigureRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.item === 'string' && typeof v.at === 'string' && typeof v.lab === 'string' && typeof v.figures === 'object' && v.figures !== null;
}

/** The latest record of each (item, host, figure set): an earlier run's figures are replaced, not added to. */
function latest(records: readonly FigureRecord[]): FigureRecord[] {
  const byKey = new Map<string, FigureRecord>();
  for (const r of records) {
    const key = `${r.item}\u0000${r.host ?? ''}\u0000${String(r.figures.case ?? '')}`;
    const seen = byKey.get(key);
    if (seen === undefined || seen.at <= r.at) byKey.set(key, r);
  }
  return [...byKey.values()];
}

const cell = (value: Figure | undefined): string => (value === undefined ? '' : String(value).replace(/\|/g, '\\|').replace(/\n/g, ' '));

export function renderReport(records: readonly FigureRecord[]): string {
  const rows = latest(records);
  const lines: string[] = [
    '# Reliability',
    '',
    '<!-- Generated by scripts/reliability-report.ts from test-results/reliability.jsonl, written by the tests in',
    '     test/reliability. Do not edit by hand: run the suite (see below) to refresh it. -->',
    '',
  ];
  if (rows.length === 0) {
    lines.push('No measurements yet: run the reliability suite.', '');
    return lines.join('\n');
  }
  const dates = rows.map((r) => r.at).sort();
  const dockers = new Map<string, string>();
  for (const r of rows) if (r.host !== null && r.docker !== null) dockers.set(r.host, r.docker);
  lines.push(
    `Measured ${day(dates[0]!)}${day(dates[0]!) === day(dates.at(-1)!) ? '' : ` to ${day(dates.at(-1)!)}`} on lab \`${[...new Set(rows.map((r) => r.lab))].join('`, `')}\`, ` +
      `${[...dockers].sort().map(([host, docker]) => `${host} Docker ${docker}`).join(', ') || 'no Docker host'}. ` +
      'Each figure comes from the test named beside it; a table row is the latest run of that test on that host.',
    '',
    'Run it with the lab up:',
    '',
    '```sh',
    'npm run build && npm run test:reliability',
    '```',
    '',
    '## Summary',
    '',
    '| item | test | hosts | key figures |',
    '| --- | --- | --- | --- |',
  );
  for (const item of ITEMS) {
    const mine = rows.filter((r) => r.item === item.id);
    if (mine.length === 0) {
      lines.push(`| ${item.title} | \`${item.test}\` | – | not measured yet |`);
      continue;
    }
    const hosts = [...new Set(mine.map((r) => r.host ?? 'engine'))].sort().join(', ');
    lines.push(`| ${item.title} | \`${item.test}\` | ${hosts} | ${cell(summaryOf(mine))} |`);
  }
  lines.push('');
  const gaps = rows.filter((r) => typeof r.figures.gap === 'string');
  lines.push('## Known gaps', '');
  if (gaps.length === 0) lines.push('None measured.', '');
  else {
    lines.push('Measured by the suite and not fixed (their tests are marked todo):', '');
    for (const r of gaps) lines.push(`- ${r.host ?? 'engine'} (Docker ${r.docker ?? '–'}), ${String(r.figures.case ?? r.item)}: ${String(r.figures.gap)}.`);
    lines.push('');
  }
  for (const item of ITEMS) {
    const mine = rows.filter((r) => r.item === item.id).sort((a, b) => `${a.host ?? ''}${String(a.figures.case ?? '')}`.localeCompare(`${b.host ?? ''}${String(b.figures.case ?? '')}`));
    lines.push(`## ${item.title}`, '', `${item.what} (\`test/reliability/${item.test}\`)`, '');
    if (mine.length === 0) {
      lines.push('Not measured yet.', '');
      continue;
    }
    const keys = [...new Set(mine.flatMap((r) => Object.keys(r.figures)))].filter((k) => k !== 'gap');
    lines.push(`| host | Docker | ${keys.join(' | ')} | measured |`, `| --- | --- | ${keys.map(() => '---').join(' | ')} | --- |`);
    for (const r of mine) {
      lines.push(`| ${r.host ?? '–'} | ${r.docker ?? '–'} | ${keys.map((k) => cell(r.figures[k])).join(' | ')} | ${r.at.slice(0, 16).replace('T', ' ')} UTC |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Adds up the numeric figures whose names say they count something, across hosts. */
function summaryOf(records: readonly FigureRecord[]): string {
  const totals = new Map<string, number>();
  for (const r of records) {
    for (const [key, value] of Object.entries(r.figures)) {
      if (typeof value === 'number' && COUNTED.test(key)) totals.set(key, (totals.get(key) ?? 0) + value);
    }
  }
  if (totals.size === 0) return `${records.length} measurement(s), all passed`;
  return [...totals].map(([k, v]) => `${k} ${v}`).join(', ');
}

const COUNTED = /^(faults|survived|midApply|rounds|both|conflicts|retries|inputs|accepted|rejected|engineRuns|payloadLinesChecked|probes|openedWhileBlocked|checks|passed|edits|detected|repaired|runs|labRuns|refused|changed(OnHost|OnRefusal)?$|rulesCompared)/;

export function writeReport(options: { results?: string; out?: string } = {}): string {
  const out = options.out ?? DEFAULT_REPORT;
  const text = renderReport(readRecords(options.results ?? DEFAULT_RESULTS));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${text.trimEnd()}\n`);
  return out;
}

if (require.main === module) {
  const [results, out] = process.argv.slice(2);
  const written = writeReport({ results, out });
  process.stdout.write(`wrote ${relative(process.cwd(), written)}\n`);
}
