// `npm run bench`: brings up the benchmark lab, measures from its outside namespace (bench/measure.ts),
// prints the table, writes bench/results/latest.json and docs/performance.md, and takes the lab down,
// also on failure and on Ctrl-C. See bench/README.md.
//   npm run bench [-- --only inventory,refresh] [-- --keep-lab]
//   DFW_BENCH_LAB=NAME npm run bench -- --use-lab --only cli --merge
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { LAB_SCRIPT, REPO_ROOT, loadLab, onHost } from '../test/support/lab';
import { knownIssues } from './findings';
import { BENCH_LAB, benchLabUp } from './lib/benchLab';
import { mergeSections } from './lib/mergeSections';
import { round, type BenchResults, type MachineFacts } from './lib/results';
import { parseOnly, SECTION_IDS, type MeasureOutput, type SectionId } from './measure';
import { renderConsole, renderMarkdown } from './report';

const RESULTS_DIR = join(REPO_ROOT, 'bench/results');
const DOC = join(REPO_ROOT, 'docs/performance.md');
/** The whole measurement; every run inside has its own, shorter, timeout. */
const MEASURE_TIMEOUT_MS = 60 * 60_000;

interface Options {
  readonly only: SectionId[];
  readonly keepLab: boolean;
  /** Only render docs/performance.md again from bench/results/latest.json (no lab, no measurement). */
  readonly render: boolean;
  /** Measure on the lab DFW_BENCH_LAB names, which is up already: neither brought up nor taken down. */
  readonly useLab: boolean;
  /** With --only: the sections measured replace the same sections of bench/results/latest.json, each with a note saying so, and the page is rendered. */
  readonly merge: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let only: SectionId[] = [...SECTION_IDS];
  let keepLab = false;
  let render = false;
  let useLab = false;
  let merge = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--only') only = parseOnly(argv[++i] ?? '');
    else if (arg === '--keep-lab') keepLab = true;
    else if (arg === '--render') render = true;
    else if (arg === '--use-lab') useLab = true;
    else if (arg === '--merge') merge = true;
    else throw new Error(`unknown argument ${String(arg)} (use --only ${SECTION_IDS.join(',')}, --keep-lab, --render, --use-lab or --merge)`);
  }
  if (useLab && process.env.DFW_BENCH_LAB === undefined) throw new Error('--use-lab measures on the lab DFW_BENCH_LAB names: set it');
  if (merge && only.length === SECTION_IDS.length) throw new Error('--merge is for a run with --only: a full run replaces every section');
  return { only, keepLab: keepLab || useLab, render, useLab, merge };
}

const say = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** The child now running (lab.sh or the measuring process), for the signal handler. */
let current: ChildProcess | undefined;
let interrupted: NodeJS.Signals | undefined;

/** Runs argv with its output passed through; resolves with its exit code. */
function runVisible(argv: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs: number; detached?: boolean }): Promise<number | null> {
  const [command, ...args] = argv;
  return new Promise((resolve, reject) => {
    // Their output is progress: to stderr, so that stdout carries only the table.
    const child = spawn(command!, args, { stdio: ['ignore', process.stderr, 'inherit'], env: options.env ?? process.env, detached: options.detached ?? false });
    current = child;
    const timer = setTimeout(() => {
      say(`${argv.slice(0, 3).join(' ')}… took longer than ${options.timeoutMs / 1000} s: stopping it (pid ${String(child.pid)})`);
      child.kill('SIGTERM');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      current = undefined;
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      current = undefined;
      resolve(code);
    });
  });
}

function labCommand(args: readonly string[], detached = false): Promise<number | null> {
  return runVisible(['bash', LAB_SCRIPT, ...args], { env: { ...process.env, LAB_NAME: BENCH_LAB }, timeoutMs: 10 * 60_000, detached });
}

let labDown: Promise<void> | undefined;

/** Takes the lab down once, whatever called it; in its own process group so that a second Ctrl-C does not cut it short. */
function takeLabDown(): Promise<void> {
  labDown ??= (async () => {
    say(`taking lab ${BENCH_LAB} down`);
    const code = await labCommand(['down'], true);
    if (code !== 0) say(`lab.sh down exited ${String(code)}: see the output above; run LAB_NAME=${BENCH_LAB} bash lab/lab.sh down`);
  })();
  return labDown;
}

function installSignalHandlers(keepLab: boolean): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (interrupted !== undefined) {
        say(`${signal} again: still cleaning up, please wait`);
        return;
      }
      interrupted = signal;
      say(`${signal}: stopping`);
      // The running child ends; main() then goes through its finally and takes the lab down.
      if (current?.pid !== undefined && current.exitCode === null) current.kill('SIGTERM');
      if (labDown === undefined && keepLab) process.exit(130);
    });
  }
}

function commandOutput(argv: readonly string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

function packageVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
  return `${name} ${pkg.version ?? '?'}`;
}

function osName(): string {
  const text = readFileSync('/etc/os-release', 'utf8');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? 'Linux';
  let debian = '';
  try {
    debian = `, ${readFileSync('/etc/debian_version', 'utf8').trim()}`;
  } catch {
    // not Debian
  }
  return `${pretty}${debian}`;
}

/** What the hosts themselves say: Docker's version and storage driver, and how many containers each has. */
async function hostFacts(): Promise<{ docker: string; containers: Map<string, number> }> {
  const lab = loadLab(BENCH_LAB);
  const seen = new Map<string, string[]>();
  const containers = new Map<string, number>();
  for (const host of lab.hosts) {
    const info = await onHost(host, ['docker', 'info', '--format', '{{.ServerVersion}} {{.Driver}}'], { lab });
    const ps = await onHost(host, ['docker', 'ps', '--all', '--quiet'], { lab });
    const key = info.code === 0 ? info.stdout.trim().replace(' ', ', storage driver ') : `unknown (docker info: ${info.stderr.trim()})`;
    seen.set(key, [...(seen.get(key) ?? []), host.name]);
    containers.set(host.name, ps.stdout.split('\n').filter((l) => l.trim() !== '').length);
  }
  const docker = [...seen].map(([what, hosts]) => `${what} on ${hosts.length === lab.hosts.length ? `all ${hosts.length} hosts` : hosts.join(', ')}`).join('; ');
  return { docker, containers };
}

function machineFacts(loadBefore: number, hosts: { docker: string; containers: Map<string, number> }): MachineFacts {
  const lab = loadLab(BENCH_LAB);
  const others = [...new Set(commandOutputAll(['ip', 'netns', 'list']).map((l) => l.split(/[\s-]/)[0]!).filter((n) => n !== '' && n !== BENCH_LAB))];
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    kernel: release(),
    os: osName(),
    node: process.version,
    dockerHosts: hosts.docker,
    dockerCli: commandOutput(['docker', '--version']),
    openssh: commandOutput(['ssh', '-V']),
    iperf3: commandOutput(['iperf3', '--version']),
    libraries: ['ssh2', 'dockerode', 'docker-modem', 'esbuild'].map(packageVersion).join(', '),
    loadBefore: round(loadBefore, 2),
    loadAfter: round(loadavg()[0]!, 2),
    lab:
      `${BENCH_LAB}: ${lab.hosts.length} hosts; containers at the end of the run: ${countsText(hosts.containers)}` +
      (others.length > 0 ? `; other labs running on the machine at the same time: ${others.join(', ')}` : ''),
  };
}

/** "h1 55, h2..h10 5 each": containers per host, runs of equal counts folded. */
function countsText(counts: Map<string, number>): string {
  const groups: { hosts: string[]; n: number }[] = [];
  for (const [host, n] of counts) {
    const last = groups.at(-1);
    if (last !== undefined && last.n === n) last.hosts.push(host);
    else groups.push({ hosts: [host], n });
  }
  return groups.map((g) => (g.hosts.length === 1 ? `${g.hosts[0]} ${g.n}` : `${g.hosts[0]}..${g.hosts.at(-1)} ${g.n} each`)).join(', ');
}

function commandOutputAll(argv: readonly string[]): string[] {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return (result.stdout ?? '').split('\n');
}

/** The document again from the last results, e.g. after a change of wording in report.ts. */
function renderOnly(): number {
  const results = JSON.parse(readFileSync(join(RESULTS_DIR, 'latest.json'), 'utf8')) as BenchResults;
  if (results.sections.length < SECTION_IDS.length + 1) throw new Error('bench/results/latest.json is from a partial run (--only): run the whole benchmark');
  writeFileSync(DOC, renderMarkdown(results, knownIssues(results)));
  process.stdout.write(`${renderConsole(results)}\n\n`);
  say(`wrote ${DOC} from the results of ${results.startedAt}`);
  return 0;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (options.render) return renderOnly();
  if (process.getuid?.() !== 0) throw new Error('run as root: the lab makes network namespaces and starts sshd and dockerd in them');
  installSignalHandlers(options.keepLab);
  const started = new Date();
  const loadBefore = loadavg()[0]!;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const partial = join(RESULTS_DIR, `partial-${process.pid}.json`);
  try {
    if (options.useLab) {
      say(`measuring on lab ${BENCH_LAB}, which is up already (--use-lab)`);
    } else {
      const labUp = benchLabUp(options.only.includes('fleet'));
      say(`bringing up lab ${BENCH_LAB}: ${labUp.slice(1).join(' ')}`);
      const upStarted = Date.now();
      const up = await labCommand(labUp);
      if (interrupted !== undefined) return 130;
      if (up !== 0) throw new Error(`lab.sh up exited ${String(up)}`);
      say(`lab up in ${((Date.now() - upStarted) / 1000).toFixed(1)} s`);
    }

    const lab = loadLab(BENCH_LAB);
    const measure = await runVisible(
      [
        'ip', 'netns', 'exec', lab.outside.ns,
        process.execPath, '--import', 'tsx', '--disable-warning=DEP0170',
        join(REPO_ROOT, 'bench/measure.ts'), '--out', partial, '--only', options.only.join(','),
      ],
      { timeoutMs: MEASURE_TIMEOUT_MS },
    );
    if (interrupted !== undefined) return 130;
    if (measure !== 0) throw new Error(`the measurement exited ${String(measure)}`);

    const output = JSON.parse(readFileSync(partial, 'utf8')) as MeasureOutput;
    const hosts = await hostFacts();
    const finished = new Date();
    const results: BenchResults = {
      version: 1,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationSeconds: round((finished.getTime() - started.getTime()) / 1000, 1),
      machine: machineFacts(loadBefore, hosts),
      sections: output.sections,
      skipped: output.skipped,
    };
    // Compact: latest.json is committed beside docs/performance.md, which is rendered from it alone.
    const json = JSON.stringify(results);
    const copy = join(RESULTS_DIR, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(copy, json);
    process.stdout.write(`${renderConsole(results)}\n\n`);
    const failed = output.skipped.some((s) => s.includes(': failed:'));
    if (options.merge) {
      if (failed) throw new Error('a section failed: nothing merged into bench/results/latest.json');
      const merged = mergeSections(JSON.parse(readFileSync(join(RESULTS_DIR, 'latest.json'), 'utf8')) as BenchResults, results, options.only);
      writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(merged)}\n`);
      writeFileSync(DOC, renderMarkdown(merged, knownIssues(merged)));
      say(`merged ${options.only.join(', ')} into bench/results/latest.json and wrote ${DOC}`);
      return 0;
    }
    if (options.only.length === SECTION_IDS.length) {
      writeFileSync(join(RESULTS_DIR, 'latest.json'), `${json}\n`);
      writeFileSync(DOC, renderMarkdown(results, knownIssues(results)));
      say(`wrote ${DOC} and bench/results/latest.json`);
    } else {
      // latest.json holds the full run the page is rendered from: a partial run written over it
      // left --render and --merge nothing to work from (a before/after comparison did just that).
      say(`wrote ${copy}; bench/results/latest.json and ${DOC} keep the last full run (--merge puts these sections into them)`);
    }
    return failed ? 1 : 0;
  } finally {
    rmSync(partial, { force: true });
    if (options.useLab) say(`lab ${BENCH_LAB} left as it was (--use-lab)`);
    else if (options.keepLab) say(`lab ${BENCH_LAB} left up (--keep-lab): LAB_NAME=${BENCH_LAB} bash lab/lab.sh down`);
    else await takeLabDown();
  }
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    say(`failed: ${error instanceof Error ? error.message : String(error)}`);
    await labDown;
    process.exit(1);
  },
);
