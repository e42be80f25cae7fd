import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { shellJoin, shellQuote } from '../../src/core/remote/shellQuote';

test('shellQuote leaves plain words alone and quotes everything else', () => {
  assert.equal(shellQuote('iptables-restore'), 'iptables-restore');
  assert.equal(shellQuote('80;id'), `'80;id'`);
  assert.equal(shellQuote(`it's`), `'it'\\''s'`);
  assert.equal(shellQuote(''), `''`);
});

test('a quoted argument reaches a real shell as exactly one word, whatever it holds', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'binary' }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 4 }), (args) => {
      const out = execFileSync('sh', ['-c', `printf '%s\\0' ${shellJoin(args)}`]);
      assert.deepEqual(out.toString('utf8').split('\0').slice(0, -1), args);
    }),
    { numRuns: 60 },
  );
});

test('shellQuote refuses a NUL byte', () => {
  assert.throws(() => shellQuote('a\0b'), /NUL/);
});
