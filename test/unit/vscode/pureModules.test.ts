import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../support/packageJson';

/**
 * The modules these unit tests load run on plain Node, without VS Code: they may import `vscode`
 * for types only. This keeps it that way for every module under src/vscode that does not need
 * VS Code at run time (a run-time import would make the tests fail to load anyway; this says why).
 */
const PURE = [
  'commands/changeSummary.ts',
  'commands/commandArgs.ts',
  'commands/commandTable.ts',
  'commands/previewText.ts',
  'chainStatus/chainStatusRows.ts',
  'hosts/dockerContexts.ts',
  'hosts/configuredHosts.ts',
  'hosts/hostSnapshot.ts',
  'settings.ts',
  'tree/contextValue.ts',
  'tree/hostChildren.ts',
  'tree/hostTreeText.ts',
  'tree/nodes.ts',
  'tree/treeText.ts',
  'ui/failure.ts',
  'ui/inputValidation.ts',
  'ui/portChoices.ts',
];

const src = join(repoRoot, 'src', 'vscode');

function runtimeImports(file: string): string[] {
  const text = readFileSync(join(src, file), 'utf8');
  return [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1] ?? '');
}

test('pure modules import vscode for types only, and only other pure modules or core at run time', () => {
  for (const file of PURE) {
    for (const spec of runtimeImports(file)) {
      assert.notEqual(spec, 'vscode', `${file} imports vscode at run time`);
      if (!spec.startsWith('.')) continue;
      const target = relative(src, join(src, file, '..', `${spec}.ts`));
      assert.ok(target.startsWith('../core/') || target.startsWith('..\\core\\') || PURE.includes(target), `${file} imports ${target}, which is not pure`);
    }
  }
});

test('the list of pure modules names files that exist', () => {
  const all = new Set(readdirSync(src, { recursive: true, encoding: 'utf8' }).map((f) => f.split('\\').join('/')));
  for (const file of PURE) assert.ok(all.has(file), file);
});
