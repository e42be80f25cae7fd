// The demo's VS Code: code-server in the lab's outside namespace (where the lab's Docker hosts are
// reachable), with the packaged extension installed and the lab hosts configured, reachable from
// this machine's loopback through a socat forwarder. Runs until Ctrl-C, then stops what it started.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerEntry, startCodeServer, REPO_ROOT } from '../test/vscode/harness/codeServer';
import { loadLab } from '../test/support/lab';

const LISTEN_PORT = Number(process.env.DFW_DEMO_PORT ?? '8443');

async function main(): Promise<void> {
  const lab = loadLab();
  const state = mkdtempSync(join(tmpdir(), 'dfw-demo-'));
  const extensionsDir = join(state, 'extensions');
  const vsix = join(REPO_ROOT, 'dist', 'docker-firewall.vsix');
  const install = spawnSync(process.execPath, [codeServerEntry(), '--extensions-dir', extensionsDir, '--install-extension', vsix], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error(`installing ${vsix} into code-server failed`);

  const server = await startCodeServer({
    folder: REPO_ROOT,
    netns: lab.outside.ns,
    extensionsDir,
    settings: {
      'dockerFirewall.hosts': lab.hosts.map((h) => ({ name: `${h.name} (Docker ${h.dockerMajor})`, destination: h.name })),
      'dockerFirewall.sshConfigPath': lab.sshConfig,
      'dockerFirewall.knownHostsPath': lab.knownHosts,
      'workbench.startupEditor': 'none',
    },
  });
  // The browser runs in this (root) namespace; code-server listens on the outside namespace's loopback.
  const forwarder = spawn(
    'socat',
    [`TCP-LISTEN:${LISTEN_PORT},bind=127.0.0.1,reuseaddr,fork`, `EXEC:ip netns exec ${lab.outside.ns} socat STDIO TCP\\:127.0.0.1\\:${server.port}`],
    { stdio: 'inherit' },
  );
  const stop = async () => {
    forwarder.kill('SIGTERM');
    await server.stop();
    rmSync(state, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

  console.log(`
Docker Firewall demo is running.

  Open http://127.0.0.1:${LISTEN_PORT}/ in a browser on this machine
  (from elsewhere: ssh -L ${LISTEN_PORT}:127.0.0.1:${LISTEN_PORT} this-machine, then the same URL).

  The Docker Firewall view in the activity bar lists the lab hosts ${lab.hosts.map((h) => h.name).join(', ')}.
  Try: right-click a host > Block External Access; F1 > Docker Firewall: Allow Port.
  From a shell, the same engine:
    ip netns exec ${lab.outside.ns} node dist/cli.js --ssh-config ${lab.sshConfig} status h1

Press Ctrl-C to stop; the lab is taken down too.
`);
  await server.exited;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
