import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../test/support/lab';
import { launchBrowser } from '../../test/vscode/harness/browser';
import { REPO_ROOT, startCodeServer, type CodeServer } from '../../test/vscode/harness/codeServer';
import { workbenchUrl } from '../../test/vscode/harness/workbenchUrl';
import { Workbench } from '../../test/vscode/ui/workbench';

/**
 * A fresh code-server and Chromium (in the namespace this process runs in: the lab's outside one)
 * with the extension in development mode and `hosts` of the lab in dockerFirewall.hosts; fn gets the
 * workbench once it is ready. Everything is stopped and removed afterwards, whatever fn does.
 */
export async function withFreshWorkbench<T>(lab: Lab, hosts: readonly string[], what: string, fn: (wb: Workbench, server: CodeServer) => Promise<T>): Promise<T> {
  const workspace = mkdtempSync(join(tmpdir(), `dfwb-${what}-`));
  writeFileSync(join(workspace, 'README.md'), `# ${what}\n`);
  const server = await startCodeServer({
    folder: workspace,
    settings: {
      'dockerFirewall.hosts': hosts.map((name) => ({ name, destination: name })),
      'dockerFirewall.sshConfigPath': lab.sshConfig,
      'dockerFirewall.knownHostsPath': lab.knownHosts,
    },
  });
  const browser = await launchBrowser().catch(async (error: unknown) => {
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
    throw error;
  });
  try {
    const wb = new Workbench(browser.page, { timeoutMs: 60_000 });
    await browser.page.goto(workbenchUrl({ port: server.port, folder: workspace, extensionDevelopmentPath: REPO_ROOT }));
    await wb.waitUntilReady();
    return await fn(wb, server);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
  }
}
