// Bundles the extension and the CLI with esbuild. Type-checking is `npm run typecheck`.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
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
 * once and keeps them in dist/cli-main.js.
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
 * The CLI's first line of JavaScript (its launcher's): with DOCKER_FIREWALL_TRACE=1 it marks the
 * moment our code starts, before the bundle is read and compiled (src/core/trace.ts, the bench's breakdown).
 */
const CLI_BANNER = '#!/usr/bin/env node\nif (process.env.DOCKER_FIREWALL_TRACE === "1") performance.mark("dfw:cli-start");';

/**
 * dockerode requires, when it is loaded, the code of features we never call: BuildKit sessions
 * (@grpc/grpc-js, @grpc/proto-loader), BuildKit's build output (protobufjs) and build contexts
 * (tar-fs, @balena/dockerignore). We only make Engine API calls over HTTP; loading that code was
 * a third of the CLI's bundle load (88 ms, 55 without; docs/performance.md). In our bundles each is
 * a stand-in that costs nothing to require and throws, naming the package, if anything ever uses it.
 */
export const LEFT_OUT_PACKAGES = ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'tar-fs', '@balena/dockerignore'];

/** A module that throws, naming `what`, when any of its properties is used. Interop and inspection look for symbols, `__esModule` and `then`: not a use. */
export function leftOutModule(what) {
  const message = `docker-firewall: ${what} is left out of this bundle (never used here; see scripts/build.mjs)`;
  return `module.exports = new Proxy({}, { get(_, p) { if (typeof p === 'symbol' || p === '__esModule' || p === 'then') return undefined; throw new Error(${JSON.stringify(message)}); } });`;
}

/**
 * Modules our libraries require when they load, for what we never or seldom use, replaced in our
 * bundles (`importer`: only where that file requires it). Each took milliseconds of every start.
 */
const STAND_INS = [
  ...LEFT_OUT_PACKAGES.map((name) => ({ path: name, contents: leftOutModule(`${name} (dockerode's BuildKit and build-context code)`) })),
  {
    // ssh2's HTTP(S) agents over SSH, which its index requires (and with them node:https and node:tls, some 25 ms); we tunnel with our own agent.
    path: './http-agents.js',
    importer: /[\\/]ssh2[\\/]lib[\\/]index\.js$/,
    contents: `class LeftOut { constructor() { throw new Error('docker-firewall: ssh2 HTTPAgent and HTTPSAgent are left out of this bundle (see scripts/build.mjs)'); } }\nmodule.exports = { SSHTTPAgent: LeftOut, SSHTTPSAgent: LeftOut };`,
  },
  {
    // docker-modem's https is for Docker over TLS, which we do not use: node:https is loaded on first use instead of at start.
    path: 'https',
    importer: /[\\/]docker-modem[\\/]lib[\\/]http\.js$/,
    contents: `let https; module.exports = new Proxy({}, { get(_, p) { https ??= require('node:https'); return https[p]; } });`,
  },
];

const standIns = {
  name: 'stand-ins',
  setup(build) {
    for (const [index, standIn] of STAND_INS.entries()) {
      const filter = new RegExp(`^${standIn.path.replace(/[/.]/g, '\\$&')}$`);
      build.onResolve({ filter }, (args) =>
        standIn.importer === undefined || standIn.importer.test(args.importer) ? { path: String(index), namespace: 'stand-in' } : undefined,
      );
    }
    build.onLoad({ filter: /.*/, namespace: 'stand-in' }, (args) => ({ contents: STAND_INS[Number(args.path)].contents, loader: 'js' }));
  },
};

const resolvePackage = createRequire(import.meta.url).resolve;

export const targets = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', plugins: [engineLibrariesFrom('./lib/')] },
  ...ENGINE_LIBRARIES.map((name) => ({
    ...common,
    entryPoints: [resolvePackage(name)],
    outfile: `dist/lib/${name}.js`,
    plugins: [engineLibrariesFrom('./'), standIns],
  })),
  // The CLI: dist/cli.js is the command, a launcher of a few lines that loads dist/cli-main.js with V8's code cache (src/cli/compileCache.ts).
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-main.js', plugins: [standIns] },
  { ...common, entryPoints: ['src/cli/launcher.ts'], outfile: 'dist/cli.js', banner: { js: CLI_BANNER } },
];

// Imported by test/unit/scripts/build.test.ts for the targets; builds only when run.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (watch) {
    for (const options of targets) await (await esbuild.context(options)).watch();
  } else {
    for (const options of targets) await esbuild.build(options);
  }
}
