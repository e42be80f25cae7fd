// Bundles the extension and the CLI with esbuild. Type-checking is `npm run typecheck`.
import { createRequire } from 'node:module';
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

/**
 * The host engine's libraries, bundled apart for the extension: together they take about 100 ms to
 * load (dockerode loads gRPC and protobufjs at require time), and the extension needs them only
 * once it opens a host (src/vscode/hosts/hostEngine.ts). dist/lib/dockerode.js takes ssh2 from
 * dist/lib/ssh2.js (docker-modem requires it), so there is one copy of each. The CLI uses them at
 * once and keeps them in dist/cli.js.
 */
const ENGINE_LIBRARIES = ['ssh2', 'dockerode'];

/** Resolves `require('ssh2')` and `require('dockerode')` to the bundles in dist/lib/, `prefix` being that folder as seen from the output. */
function engineLibrariesFrom(prefix) {
  return {
    name: 'engine-libraries',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^(${ENGINE_LIBRARIES.join('|')})$`) }, (args) =>
        args.kind === 'entry-point' ? undefined : { path: `${prefix}${args.path}.js`, external: true },
      );
    },
  };
}

/**
 * The CLI's first line of JavaScript: with DOCKER_FIREWALL_TRACE=1 it marks the moment our code
 * starts, before the bundle's modules are evaluated (src/core/trace.ts, the bench's breakdown).
 */
const CLI_BANNER = '#!/usr/bin/env node\nif (process.env.DOCKER_FIREWALL_TRACE === "1") performance.mark("dfw:cli-start");';

const resolvePackage = createRequire(import.meta.url).resolve;

const targets = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [engineLibrariesFrom('./lib/')] },
  ...ENGINE_LIBRARIES.map((name) => ({
    ...common,
    entryPoints: [resolvePackage(name)],
    outfile: `dist/lib/${name}.js`,
    plugins: [engineLibrariesFrom('./')],
  })),
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: CLI_BANNER } },
];

if (watch) {
  for (const options of targets) await (await esbuild.context(options)).watch();
} else {
  for (const options of targets) await esbuild.build(options);
}
