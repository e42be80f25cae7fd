// Bundles the extension and the CLI with esbuild. Type-checking is `npm run typecheck`.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: !watch,
  // ssh2 loads optional native helpers (cpu-features, its own crypto binding) inside try/catch;
  // leaving them external keeps the bundle pure JavaScript and ssh2 falls back to node:crypto.
  external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'],
  logLevel: 'info',
  metafile: true,
};

const targets = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const options of targets) await (await esbuild.context(options)).watch();
} else {
  for (const options of targets) await esbuild.build(options);
}
