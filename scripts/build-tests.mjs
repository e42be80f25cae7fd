// Bundles the extension-host test suite (test/vscode/suite: index.ts and every *.test.ts) into
// out/test/vscode/suite/ (or the folder given as the first argument: each run of the suite builds
// its own, so that two runs side by side never rebuild under each other) as CommonJS. `vscode` is
// provided by the extension host; mocha stays external and is loaded from node_modules at run time
// (it requires its reporters dynamically).
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const suiteDir = path.join(repoRoot, 'test', 'vscode', 'suite');
const outDir = path.resolve(process.argv[2] ?? path.join(repoRoot, 'out', 'test', 'vscode', 'suite'));

const entryPoints = [
  path.join(suiteDir, 'index.ts'),
  ...readdirSync(suiteDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .sort()
    .map((file) => path.join(suiteDir, file)),
];

// Deleted or renamed tests must not keep running from a stale bundle.
rmSync(outDir, { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outbase: suiteDir,
  outdir: outDir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
console.log(`build-tests: ${entryPoints.length - 1} test file(s) -> ${path.relative(process.cwd(), outDir) || '.'}`);
