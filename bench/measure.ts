// The measuring half of `npm run bench`: runs in the lab's outside namespace (the user's machine),
// measures each section against the lab that bench/run.ts brought up, and writes the sections as
// JSON. Run on its own (lab up already): node --import tsx bench/measure.ts --out FILE [--only a,b]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadLab, type Lab } from '../test/support/lab';
import { measureActivation } from './activation';
import { measureCliProcess } from './cliProcess';
import { measureFleet } from './fleet';
import { measureInventory } from './inventory';
import { BENCH_LAB } from './lib/benchLab';
import type { Section } from './lib/results';
import { restoreShell } from './lib/stockShell';
import { prepareHosts } from './environment';
import { measureLockdown } from './lockdown';
import { measureRefresh } from './refresh';
import { measureThroughput } from './throughput';

export const SECTION_IDS = ['inventory', 'cli', 'lockdown', 'refresh', 'throughput', 'activation', 'fleet'] as const;
export type SectionId = (typeof SECTION_IDS)[number];

const MEASURES: Record<SectionId, (lab: Lab) => Promise<Section>> = {
  inventory: (lab) =>
    measureInventory(lab, [
      { name: 'h1', containers: 5 + lab.extraContainers },
      { name: 'h2', containers: 5 },
    ]),
  cli: (lab) => measureCliProcess(lab, lab.hosts.length > 1 ? ['h1', 'h2'] : ['h1']),
  lockdown: measureLockdown,
  refresh: (lab) => measureRefresh(lab, [1, 5, 10]),
  throughput: measureThroughput,
  activation: measureActivation,
  fleet: measureFleet,
};

export interface MeasureOutput {
  readonly sections: Section[];
  readonly skipped: string[];
}

function parseArgs(argv: readonly string[]): { out: string; only: SectionId[] } {
  let out: string | undefined;
  let only: SectionId[] = [...SECTION_IDS];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') out = argv[++i];
    else if (arg === '--only') only = parseOnly(argv[++i] ?? '');
    else throw new Error(`unknown argument ${String(arg)}`);
  }
  if (out === undefined) throw new Error(`usage: measure.ts --out FILE [--only ${SECTION_IDS.join(',')}]`);
  return { out, only };
}

export function parseOnly(text: string): SectionId[] {
  const ids = text.split(',').filter((s) => s !== '');
  for (const id of ids) {
    if (!(SECTION_IDS as readonly string[]).includes(id)) throw new Error(`--only: no section "${id}" (${SECTION_IDS.join(', ')})`);
  }
  return ids as SectionId[];
}

/** The network namespace this process is in, by name ('' for one ip netns does not know). */
function currentNamespace(): string {
  const result = spawnSync('ip', ['netns', 'identify', String(process.pid)], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : '';
}

async function main(): Promise<void> {
  const lab = loadLab(BENCH_LAB);
  if (currentNamespace() !== lab.outside.ns) {
    // Every connection must start where a user's would: re-run this program in the outside namespace.
    const result = spawnSync('ip', ['netns', 'exec', lab.outside.ns, process.execPath, ...process.execArgv, __filename, ...process.argv.slice(2)], {
      stdio: 'inherit',
    });
    process.exit(result.status ?? 1);
  }
  const { out, only } = parseArgs(process.argv.slice(2));
  const output: MeasureOutput = { sections: [], skipped: [] };
  try {
    output.sections.push(await prepareHosts(lab));
    await measureSections(lab, only, out, output);
  } finally {
    await restoreShell(lab);
  }
  // ssh2 sockets of closed handles and dockerode agents may linger a moment; nothing is left to do.
  process.exit(0);
}

async function measureSections(lab: Lab, only: readonly SectionId[], out: string, output: MeasureOutput): Promise<void> {
  for (const id of SECTION_IDS) {
    if (!only.includes(id)) {
      output.skipped.push(`${id}: not asked for on this run (--only)`);
      continue;
    }
    const started = Date.now();
    process.stderr.write(`[bench] ${id}…\n`);
    try {
      output.sections.push(await MEASURES[id](lab));
      process.stderr.write(`[bench] ${id} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`[bench] ${id} FAILED: ${reason}\n`);
      output.skipped.push(`${id}: failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Written after every section, so that an interrupted run keeps what it measured.
    writeFileSync(out, JSON.stringify(output, null, 1));
  }
}

if (require.main === module) {
  // bench/run.ts stops this process with SIGTERM (Ctrl-C sends SIGINT to both): exit through the
  // 'exit' handlers, which remove temporary files; the lab itself is taken down by run.ts.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  main().catch((error: unknown) => {
    process.stderr.write(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
