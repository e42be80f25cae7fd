// What a test file needs from this machine (root, the lab, its outside namespace), as node:test's
// skip option. Run by hand, a missing piece skips with the reason. Under CI=true nothing may be
// skipped: a test that fails with the reason stands in for the skipped suite, and
// scripts/run-node-tests.mjs fails the run on any skip too.
import { existsSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { isLabUp, labName, labStatePath, loadLab } from './lab';

export const CI = process.env.CI === 'true';

/** The reason as a skip option; under CI=true, also a failing test that names it. */
export function unmet(what: string, reason: string | false): string | false {
  if (reason !== false && CI) {
    test(`${what} (required)`, () => {
      throw new Error(`CI=true, so this is a failure, not a skip: ${reason}`);
    });
  }
  return reason;
}

export function rootReason(): string | false {
  return process.getuid?.() === 0 ? false : 'needs root (it makes network namespaces and runs iptables)';
}

/** The lab (LAB_NAME) must be up; with `outside`, this process must run in its outside namespace. */
export function labReason(options: { outside?: boolean } = {}): string | false {
  const name = labName();
  if (!isLabUp(name)) return `lab ${name} is not up (no ${labStatePath(name)}): LAB_NAME=${name} bash lab/lab.sh up --docker 20,28`;
  if (options.outside) {
    const lab = loadLab(name);
    const outside = `/run/netns/${lab.outside.ns}`;
    if (!existsSync(outside) || statSync(outside).ino !== statSync('/proc/self/ns/net').ino) {
      return `not in lab ${name}'s outside namespace: run ip netns exec ${lab.outside.ns} node scripts/run-node-tests.mjs …`;
    }
  }
  return false;
}

/** The skip option of a suite that needs the lab (and, with `outside`, its outside namespace). */
export function needsLab(what: string, options: { outside?: boolean } = {}): string | false {
  return unmet(what, labReason(options));
}

/** The skip option of a suite that needs root. */
export function needsRoot(what: string): string | false {
  return unmet(what, rootReason());
}

/** The skip option of a suite that needs a program on PATH (installed by scripts/setup.sh). */
export function needsTool(tool: string, what: string): string | false {
  const found = (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(`${dir}/${tool}`));
  return unmet(what, found ? false : `${tool} is not installed (scripts/setup.sh installs it)`);
}
