/**
 * The host engine (core/hosts/openHost: SSH sessions, the Docker API over them, the firewall on
 * top), loaded the first time a host is opened rather than when the extension activates. Its
 * libraries take about 100 ms to load (dockerode loads gRPC and protobufjs at require time) and
 * activation needs none of it: nothing connects until a view asks for a host.
 *
 * require() rather than import: esbuild then initialises the engine's modules only when this is
 * called, and with them ssh2 and dockerode, which scripts/build.mjs bundles apart (dist/lib/).
 * Nothing else in src/vscode imports the engine at run time (test/unit/vscode/activationImports).
 */
import type * as OpenHostModule from '../../core/hosts/openHost';

export type HostEngine = typeof OpenHostModule;

export function hostEngine(): HostEngine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
  return require('../../core/hosts/openHost') as HostEngine;
}
