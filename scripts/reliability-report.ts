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
  /** Where the latest run must have measured it ("engine": no host); one missing is a gap. */
  readonly hosts: readonly string[];
}

/** The reliability plan, in the order the page shows it. */
export const ITEMS: readonly Item[] = [
  {
    id: 'daemon-restart',
    hosts: ['h1', 'h2', 'h4'],
    title: 'Daemon restart and crash',
    test: 'daemonRestart.test.ts, keepWindowEnd.test.ts, nftablesReboot.test.ts',
    what: 'Locked with 8080 allowed, then dockerd restarted (stop/start), crashed (SIGKILL) and started again, and the containers recreated with new addresses; after each, real connections from outside. On h2, after a restart, app recreated over and over while the watcher\'s keep window (the ports in force kept while Docker brings its containers back) ends, its port probed all along. On h4 (Docker 29, nftables backend, locked in tables of our own): a restart, our tables unchanged by it.',
  },
  {
    id: 'reboot',
    hosts: ['h2', 'h4', 'sd1', 'sd2'],
    title: 'Reboot, real and simulated',
    test: 'realReboot.test.ts, reboot.test.ts, nftablesReboot.test.ts',
    what: 'Real (sd1 iptables-nft, sd2 iptables-legacy): a Debian 12 host with systemd and Docker 20.10, booted with systemd-nspawn on the lab\'s LAN, locked with 8080 allowed, made persistent by the CLI and rebooted; each boot starts with empty netfilter tables and systemd runs the restore unit (Before=docker.service), dockerd and the drop-in\'s ExecStartPost. Simulated (h2: the lab hosts have no systemd): after `persist`, dockerd stopped, every table of both families flushed and deleted, the restore script run, dockerd started, the script run again. Simulated on h4 (Docker 29, nftables backend): the whole nftables ruleset flushed, the restore script (nft -f) run before dockerd, dockerd started. All: the blocked port probed from outside beside the allowed one all along.',
  },
  {
    id: 'persistence',
    hosts: ['sd1', 'sd2'],
    title: 'Persistence files, unit and drop-in',
    test: 'realReboot.test.ts',
    what: '`persist` on a systemd host: the saved rules equal the chain in force, the unit and the docker.service drop-in hold their lines, systemd enables the unit, loads the drop-in and orders the unit before docker.service; files saved from an earlier policy give the persistence-outdated warning until `persist` runs again; later changes are saved too.',
  },
  {
    id: 'host-warnings',
    hosts: ['sd1'],
    title: 'Warnings of a confusing host',
    test: 'realReboot.test.ts',
    what: 'On the systemd host sd1: Docker chains in iptables-legacy beside the nf_tables ones in use give the two-variants warning (and the lockdown still reads from the variant Docker uses); with ip6tables-nft-save gone, ipv6-unreadable, and a change plans IPv4 only.',
  },
  {
    id: 'late-publish',
    hosts: ['h1', 'h3'],
    title: 'Ports published after Block',
    test: 'latePublish.test.ts',
    what: 'On a locked host (Docker 20.10 and 29), a container published on a network made after Block, one on a network the lockdown knows, one created on a new network and started 4 s later, and one on the host network whose program listens 8 s after its start, with no client action: its IPv4 (DNAT, or a socket of the host) and IPv6 (docker-proxy, or a socket of the host) paths hammered from outside, beside a service of the host as the control, from before the network exists until 10 s after `docker run` (or `docker start`, or the late listen) returned. The window is how long the port answered before the watcher on the host covered it (goal: never, or under 1 s); the test requires silence for the last 3 s, status blocked, and Allow opening the port on both families, and for the container started after its create, not one answer.',
  },
  {
    id: 'atomicity',
    hosts: ['h1', 'h2'],
    title: 'Atomicity under cut connections',
    test: 'atomicity.test.ts',
    what: 'block, allow, deny and unblock with the SSH connection cut at random moments, four ways: after N bytes through a proxy, after a random delay, a random delay after the apply command was sent, and SIGKILL to the connection\'s sshd on the host. After each: iptables-save of both families equals the whole old or the whole new state, and status names that state.',
  },
  {
    id: 'ipv6-rollback',
    hosts: ['h1', 'h2'],
    title: 'IPv6 refused after IPv4 was applied',
    test: 'rollback.test.ts',
    what: 'Between the engine\'s read and its apply, another client makes one of our IPv6 chains, so the IPv6 transaction is refused after the IPv4 one went through: xtables-monitor on the host sees IPv4 applied and taken back, the tables show IPv4 exactly as before and IPv6 as the other client left it, the apply reports a conflict naming IPv6, and the engine\'s own apply from the same stale reading reads again and ends in the exact lockdown.',
  },
  {
    id: 'concurrency',
    hosts: ['h1', 'h2', 'engine'],
    title: 'Concurrent clients',
    test: 'concurrency.test.ts',
    what: 'Two clients change one host at the same moment: the CLI from the two outside namespaces, and two engines in one process with warm connections (both read before either writes). The end state holds both changes or the loser reports ConcurrentChange; never a duplicate rule. Plus the xtables lock held by another process during an apply (iptables-legacy).',
  },
  {
    id: 'idempotence-drift',
    hosts: ['h2'],
    title: 'Idempotence and drift',
    test: 'idempotenceDrift.test.ts',
    what: 'block and allow repeated: the same rules every time, no transaction sent. Rules added, removed or reordered by hand in our chains: status reports drift-modified, the next apply repairs it to the exact rendering.',
  },
  {
    id: 'host-keys',
    hosts: ['h1'],
    title: 'Host keys',
    test: 'hostKeys.test.ts',
    what: 'Unknown key: refused (exit 3) with nothing run. Changed key (the lab host\'s sshd given new host keys): refused before login, exit 3, nothing changed on the host, not even with --accept-new. The same in the extension (`test/vscode/suite/hostKeys.test.ts`, run by `npm run test:vscode`): the host reads as unreachable with both fingerprints named, Block External Access stops before login.',
  },
  {
    id: 'privilege',
    hosts: ['h1', 'h2'],
    title: 'Privilege',
    test: 'privilege.test.ts',
    what: 'deploy (passwordless sudo), nosudo (no rights), sudopw (sudo with a password given through the askSudoPassword callback of openHost, asked once per session; not in the docker group, so the Docker API is read through `sudo docker system dial-stdio`).',
  },
  {
    id: 'bad-input',
    hosts: ['engine', 'h1'],
    title: 'Bad input',
    test: 'badInput.test.ts',
    what: 'fast-check properties over ports, protocols, CIDRs, host specs, chain names and container names drawn with shell metacharacters, newlines and unicode: rejected with exit 2, or accepted and then every command line sent over SSH (recorded by an SSH server) is the shell quoting of validated argv, and every payload line carries only the intended values. A few of the accepted inputs also run against the lab.',
  },
  {
    id: 'collateral',
    hosts: ['h1', 'h2'],
    title: 'No collateral damage',
    test: 'collateral.test.ts',
    what: 'With the lockdown on: SSH, a host service on INPUT, forwarding through the host that is not Docker\'s, container egress and container-to-container traffic, over IPv4 and IPv6 where they apply.',
  },
  {
    id: 'unlock-exact',
    hosts: ['h1', 'h2'],
    title: 'Unlock is exact',
    test: 'collateral.test.ts',
    what: 'iptables-save and ip6tables-save of all tables, counters aside, before block and after unblock.',
  },
  {
    id: 'backend-refusal',
    hosts: ['h1', 'h2'],
    title: 'nftables backend, or no DOCKER-USER',
    test: 'backendRefusal.test.ts',
    what: 'Engine API reporting FirewallBackend nftables while Docker\'s nftables tables are not there (forged on its way in from h1 and h2, iptables hosts; the real Docker 29 nftables host h4 is locked in tables of our own, in the lab tests and the reboot item), and a host whose DOCKER-USER chain is gone: block refused with the reason, no transaction sent, nothing changed.',
  },
];

/**
 * What this suite does not test, written by hand (the page marks it so): the rest of "Known gaps"
 * comes from the latest run.
 */
export const NOT_TESTED: readonly string[] = [
  'A machine\'s own boot: the real reboot boots a container (systemd-nspawn) with its own systemd, network namespace and netfilter tables, but shares this machine\'s kernel, so kernel modules and sysctls are not reloaded.',
  'iptables-legacy under this suite\'s faults: the lab\'s iptables-legacy host (h5, Docker 28) is checked by the lab tests (`test/lab/lab.test.ts`), and the legacy variant by the real-reboot host sd2, the round trip and the xtables lock in throwaway namespaces; the items above run on the iptables-nft hosts.',
  'Docker 29\'s nftables backend under cut connections, concurrent clients and network churn: its lockdown (h4) is tested here for reboot and dockerd restart only; the lab tests check its compare-and-swap and tampering.',
  'Real networks between machines: every host shares this machine\'s kernel, and no link has the latency or loss of a WAN.',
  'firewalld or ufw on the host beside Docker, and Podman. Rootless Docker, ufw and firewalld are tested by the lab tests (h1 `test/lab/engine/rootless.test.ts`; h2 `ufw.test.ts`, `firewalld.test.ts`), not under this suite\'s faults.',
];

/** Reads the raw results; a line that is not a measurement fails loudly with its number. */
export function readRecords(file = DEFAULT_RESULTS): FigureRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, i) => [line, i + 1] as const)
    .filter(([line]) => line.trim() !== '')
    .map(([line, number]) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new Error(`${file}:${number}: not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
      }
      if (!isRecord(value)) throw new Error(`${file}:${number}: not a measurement (item, run, at, lab, outcome, setup and figures are required)`);
      return value;
    });
}

function isRecord(value: unknown): value is FigureRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const object = (x: unknown) => typeof x === 'object' && x !== null;
  return (
    typeof v.item === 'string' && typeof v.run === 'string' && typeof v.at === 'string' && typeof v.lab === 'string' &&
    (v.outcome === 'pass' || v.outcome === 'fail') && object(v.figures) && object(v.setup)
  );
}

/**
 * The records of the latest run only (an earlier run's passing row never stands in for a row the
 * latest run failed or did not reach), the last of each (item, host, case).
 */
export function latestRun(records: readonly FigureRecord[]): FigureRecord[] {
  const last = records.at(-1);
  if (last === undefined) return [];
  const byKey = new Map<string, FigureRecord>();
  for (const r of records) if (r.run === last.run) byKey.set(`${r.item}\u0000${r.host ?? ''}\u0000${r.case ?? ''}`, r);
  return [...byKey.values()];
}

const cell = (value: Figure | undefined): string => (value === undefined ? '' : String(value).replace(/\|/g, '\\|').replace(/\n/g, ' '));
const where = (r: FigureRecord) => (r.host === null ? 'engine' : `${r.host} (Docker ${r.docker ?? '–'})`);
const setupText = (r: FigureRecord) => Object.entries(r.setup).map(([k, v]) => `${k} ${cell(v)}`).join(', ');

export function renderReport(all: readonly FigureRecord[]): string {
  const rows = latestRun(all);
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
  const failed = rows.filter((r) => r.outcome === 'fail');
  lines.push(
    `Run \`${rows[0]!.run}\`, measured ${day(dates[0]!)}${day(dates[0]!) === day(dates.at(-1)!) ? '' : ` to ${day(dates.at(-1)!)}`} on lab ` +
      `\`${[...new Set(rows.map((r) => r.lab))].join('`, `')}\`, ` +
      `${[...dockers].sort().map(([host, docker]) => `${host} Docker ${docker}`).join(', ') || 'no Docker host'}: ` +
      `${rows.length - failed.length} measurements passed, ${failed.length} failed. ` +
      'Every row is from that run, with its test\'s outcome; "set-up" is what the test chose, the other columns what it observed. ' +
      'The raw results are [test-results/reliability.jsonl](../test-results/reliability.jsonl).',
    '',
    'Run it with the lab up:',
    '',
    '```sh',
    'npm run build && npm run test:reliability',
    '```',
    '',
    '## Summary',
    '',
    '| item | test | hosts | passed | failed | key figures |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const item of ITEMS) {
    const mine = rows.filter((r) => r.item === item.id);
    if (mine.length === 0) {
      lines.push(`| ${item.title} | ${item.test.split(', ').map((t) => `\`${t}\``).join(', ')} | – | – | – | not measured in this run |`);
      continue;
    }
    const hosts = [...new Set(mine.map((r) => r.host ?? 'engine'))].sort().join(', ');
    const bad = mine.filter((r) => r.outcome === 'fail').length;
    lines.push(`| ${item.title} | ${item.test.split(', ').map((t) => `\`${t}\``).join(', ')} | ${hosts} | ${mine.length - bad} | ${bad === 0 ? 0 : `**${bad}**`} | ${cell(summaryOf(mine))} |`);
  }
  lines.push('', '## Known gaps', '', 'Found by this run:', '');
  const gaps: string[] = failed.map((r) => `- **failed**: ${itemTitle(r.item)}, ${where(r)}${r.case === null ? '' : `, ${r.case}`}: ${r.error ?? 'no message'}`);
  // A measurement can pass its test and still miss the goal it states (a late port's window over 1 s).
  for (const r of rows.filter((row) => row.outcome === 'pass' && row.figures.goalMet === false)) {
    const windows = Object.entries(r.figures).filter(([name]) => name.endsWith('WindowMs')).map(([name, value]) => `${name} ${cell(value)}`);
    gaps.push(`- **goal missed**: ${itemTitle(r.item)}, ${where(r)}${r.case === null ? '' : `, ${r.case}`}${windows.length > 0 ? `: ${windows.join(', ')}` : ''}`);
  }
  for (const item of ITEMS) {
    for (const host of item.hosts) {
      if (!rows.some((r) => r.item === item.id && (r.host ?? 'engine') === host)) gaps.push(`- **not measured**: ${item.title} on ${host} (no record from this run: skipped, not run, or stopped before it measured)`);
    }
  }
  lines.push(...(gaps.length > 0 ? gaps : ['- none: every planned measurement ran and passed.']), '');
  lines.push('Not tested by this suite (written by hand, not measured):', '', ...NOT_TESTED.map((t) => `- ${t}`), '');
  for (const item of ITEMS) {
    const mine = rows
      .filter((r) => r.item === item.id)
      .sort((a, b) => `${a.host ?? ''}${a.case ?? ''}`.localeCompare(`${b.host ?? ''}${b.case ?? ''}`));
    lines.push(`## ${item.title}`, '', `${item.what} (${item.test.split(', ').map((t) => `\`test/reliability/${t}\``).join(', ')})`, '');
    if (mine.length === 0) {
      lines.push('Not measured in this run.', '');
      continue;
    }
    const keys = [...new Set(mine.flatMap((r) => Object.keys(r.figures)))];
    const hasCase = mine.some((r) => r.case !== null);
    const hasSetup = mine.some((r) => Object.keys(r.setup).length > 0);
    const head = ['host', 'Docker', ...(hasCase ? ['case'] : []), 'outcome', ...(hasSetup ? ['set-up'] : []), ...keys, 'measured'];
    lines.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
    for (const r of mine) {
      const cells = [
        r.host ?? '–',
        r.docker ?? '–',
        ...(hasCase ? [cell(r.case ?? '')] : []),
        r.outcome === 'pass' ? 'pass' : '**FAIL**',
        ...(hasSetup ? [setupText(r)] : []),
        ...keys.map((k) => cell(r.figures[k])),
        `${r.at.slice(0, 16).replace('T', ' ')} UTC`,
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function itemTitle(id: string): string {
  return ITEMS.find((i) => i.id === id)?.title ?? id;
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
  if (totals.size === 0) return `${records.length} measurement(s)`;
  return [...totals].map(([k, v]) => `${k} ${v}`).join(', ');
}

const COUNTED =
  /^(faults|survived|midApply|rounds|both|conflicts|retries|duplicates|adversarial(Inputs|Accepted|Rejected)|engineRuns|payloadLinesChecked|probes|blockedBesideControl|openedWhileBlocked|checks|passed|edits|detected|repaired|runs|labRuns|refused|applySent|changed(OnHost|OnRefusal)?|rulesCompared|rolledBack|warned)$/;

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
