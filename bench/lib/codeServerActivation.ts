import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../../test/support/lab';
import { launchBrowser } from '../../test/vscode/harness/browser';
import { DEFAULT_CODE_SERVER_DIR, REPO_ROOT, startCodeServer } from '../../test/vscode/harness/codeServer';
import { workbenchUrl } from '../../test/vscode/harness/workbenchUrl';
import { Workbench } from '../../test/vscode/ui/workbench';

export const CODE_SERVER_RUNS = 3;

export interface CodeServerActivation {
  readonly ms: number;
  /** As Running Extensions shows it, e.g. "Activation: 83ms". */
  readonly text: string;
  readonly codeServer: string;
}

/**
 * The extension's activation in a real workbench: code-server and Chromium started fresh for each
 * sample (in the namespace this process runs in: the lab's outside one), the extension in
 * development mode with the lab's hosts configured; opening its view activates it, and VS Code's
 * Developer: Show Running Extensions gives the extension host's own activation time.
 */
export async function activationInCodeServer(lab: Lab, hosts: readonly string[]): Promise<CodeServerActivation[]> {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string };
  const codeServer = (JSON.parse(readFileSync(join(DEFAULT_CODE_SERVER_DIR, 'node_modules', 'code-server', 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  const samples: CodeServerActivation[] = [];
  for (let i = 0; i < CODE_SERVER_RUNS; i++) {
    const workspace = mkdtempSync(join(tmpdir(), 'dfwb-activation-'));
    writeFileSync(join(workspace, 'README.md'), '# activation\n');
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
      throw error;
    });
    try {
      const wb = new Workbench(browser.page, { timeoutMs: 60_000 });
      await browser.page.goto(workbenchUrl({ port: server.port, folder: workspace, extensionDevelopmentPath: REPO_ROOT }));
      await wb.waitUntilReady();
      await wb.openViewContainer('Docker Firewall');
      const { ms, text } = await wb.extensionActivationMs(`${manifest.publisher}.${manifest.name}`);
      samples.push({ ms, text, codeServer });
    } finally {
      await browser.close();
      await server.stop();
      rmSync(workspace, { recursive: true, force: true });
    }
  }
  return samples;
}
