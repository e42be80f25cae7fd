// Suites of the extension-host run that need the lab.
import { readSuiteLab, type SuiteLab } from './labState';

/**
 * Defines the suites that need the lab, given the lab; without it, one suite `title` whose only
 * test fails with the reason (never a skip, so a run without the lab cannot pass).
 */
export function withSuiteLab(title: string, define: (lab: SuiteLab) => void): void {
  let lab: SuiteLab;
  try {
    lab = readSuiteLab();
  } catch (error) {
    const problem = error instanceof Error ? error : new Error(String(error));
    suite(title, () => {
      test('the lab is known', () => {
        throw problem;
      });
    });
    return;
  }
  define(lab);
}
