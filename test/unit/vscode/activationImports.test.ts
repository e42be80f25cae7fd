import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from '../../support/packageJson';

/**
 * Loading the extension must not load the host engine: ssh2 and dockerode take about 100 ms to
 * load, and activation needs neither (src/vscode/hosts/hostEngine.ts requires the engine on first
 * use). What a module imports at run time is what esbuild initialises with it; a require() inside a
 * function is initialised when it runs. So the modules activation loads are those reached from
 * src/extension.ts through run-time imports and top-level requires.
 */

const ENGINE = 'src/core/hosts/openHost.ts';
const ENGINE_LIBRARIES = ['ssh2', 'dockerode'];

/** Run-time imports and re-exports (not `import type`, nor braces of types only), and requires at the top level. */
function runtimeSpecifiers(text: string): string[] {
  const fromClauses = [...text.matchAll(/^(?:import|export)\s+(?!type\b)([^;]*?)\s*from\s+'([^']+)'/gm)]
    .filter(([, bindings]) => !/^\{(\s*type\s+\w+\s*(as\s+\w+\s*)?,?)*\s*\}$/.test(bindings ?? ''))
    .map((m) => m[2] ?? '');
  const bare = [...text.matchAll(/^import\s+'([^']+)'/gm)].map((m) => m[1] ?? '');
  const topLevelRequires = [...text.matchAll(/^(?:const|let|var)\s[^;]*?\brequire\('([^']+)'\)/gm)].map((m) => m[1] ?? '');
  return [...fromClauses, ...bare, ...topLevelRequires];
}

function resolveSource(fromFile: string, specifier: string): string {
  const base = join(dirname(join(repoRoot, fromFile)), specifier);
  // A JSON module (package.json, for the version) is loaded as it is and imports nothing.
  const file = [...(base.endsWith('.json') ? [base] : []), `${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
  assert.ok(file, `${fromFile}: cannot resolve ${specifier}`);
  return relative(repoRoot, file).split('\\').join('/');
}

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Source files and packages loaded with a module, transitively. */
function loadedWith(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of runtimeSpecifiers(readFileSync(join(repoRoot, file), 'utf8'))) {
      if (specifier.startsWith('.')) visit(resolveSource(file, specifier));
      else if (!specifier.startsWith('node:') && specifier !== 'vscode') packages.add(packageName(specifier));
    }
  };
  visit(entry);
  return { files, packages };
}

test('loading and activating the extension loads neither the host engine nor ssh2 and dockerode', () => {
  const { files, packages } = loadedWith('src/extension.ts');
  assert.ok(files.has('src/vscode/hosts/connectionPool.ts'), 'the walk reaches the connection pool');
  assert.ok(!files.has(ENGINE), `activation loads ${ENGINE}; open it through src/vscode/hosts/hostEngine.ts`);
  for (const name of ENGINE_LIBRARIES) assert.ok(!packages.has(name), `activation loads ${name}`);
});

test('the host engine, once loaded, brings ssh2 with its first connection, and dockerode with its first Docker client', () => {
  const { files, packages } = loadedWith(ENGINE);
  // Each is required where it is first used: the CLI evaluates ssh2 while its TCP connection opens
  // (src/core/ssh/ssh2Module.ts) and dockerode after the login, neither before the connect.
  assert.ok(files.has('src/core/ssh/ssh2Module.ts'), `${ENGINE} does not load ssh2's loader`);
  assert.ok(!packages.has('ssh2'), 'ssh2 is loaded with the engine, not with its first connection');
  assert.match(readFileSync(join(repoRoot, 'src/core/ssh/ssh2Module.ts'), 'utf8'), /^\s+return require\('ssh2'\)/m);
  assert.ok(files.has('src/core/docker/dockerClient.ts'), `${ENGINE} does not load the Docker client`);
  assert.ok(!packages.has('dockerode'), 'dockerode is loaded with the engine, not with its first Docker client');
  assert.match(readFileSync(join(repoRoot, 'src/core/docker/dockerClient.ts'), 'utf8'), /^\s+const \w+ = require\('dockerode'\)/m);
});
