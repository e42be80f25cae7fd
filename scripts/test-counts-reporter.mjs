// A node:test reporter that records what ran, one JSON line per finished test or suite, in the file
// named by DFW_TEST_COUNTS_FILE (written synchronously: --test-force-exit may end the process before
// a reporter stream is flushed). scripts/run-node-tests.mjs reads it to fail a run in which no test
// ran and, under CI=true, one in which a test was skipped.
import { appendFileSync } from 'node:fs';

export default async function* countTests(source) {
  const file = process.env.DFW_TEST_COUNTS_FILE;
  for await (const event of source) {
    if (file === undefined || (event.type !== 'test:pass' && event.type !== 'test:fail')) continue;
    const { name, skip, todo, file: testFile, details } = event.data;
    const line = {
      test: `${testFile ?? '?'}: ${name}`,
      outcome: event.type === 'test:pass' ? 'pass' : 'fail',
      suite: details?.type === 'suite',
      skip: skip === undefined || skip === false ? undefined : typeof skip === 'string' ? skip : 'skipped',
      todo: todo === undefined || todo === false ? undefined : typeof todo === 'string' ? todo : 'todo',
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
  yield '';
}
