import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../test/support/lab';
import { DEFAULT_CODE_SERVER_DIR, REPO_ROOT } from '../../test/vscode/harness/codeServer';
import { withFreshWorkbench } from './benchWorkbench';

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
    samples.push(
      await withFreshWorkbench(lab, hosts, 'activation', async (wb) => {
        await wb.openViewContainer('Docker Firewall');
        const { ms, text } = await wb.extensionActivationMs(`${manifest.publisher}.${manifest.name}`);
        return { ms, text, codeServer };
      }),
    );
  }
  return samples;
}
