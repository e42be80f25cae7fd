// Tests that need the lab say so instead of passing silently: without it they are skipped with
// the reason (node's runner prints it), and under CI=true, where the lab must be up, the missing
// lab is a failing test.
import { test } from 'node:test';

export function inCi(): boolean {
  return process.env.CI === 'true';
}

/**
 * The skip option for a suite that needs the lab: false when `missing` is undefined (the lab is
 * there), else the reason to skip. Under CI=true a test named after the reason is registered that
 * fails, so a CI run without the lab cannot pass.
 */
export function skipUnlessLab(missing: string | undefined): string | false {
  if (missing === undefined) return false;
  if (inCi()) {
    test(`the lab is there (CI=true): ${missing}`, () => {
      throw new Error(`CI=true but ${missing}`);
    });
  }
  return missing;
}
