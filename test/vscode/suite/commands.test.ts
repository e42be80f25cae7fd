import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import packageJson from '../../../package.json';
import { activateApi } from '../../support/vscode/extension';

suite('Contributed commands', () => {
  test('every command in contributes.commands is registered once the extension is active', async () => {
    await activateApi();
    const contributed = packageJson.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  test('the extension registers no dockerFirewall.* command that package.json does not contribute', async () => {
    await activateApi();
    const contributed = new Set<string>(packageJson.contributes.commands.map((c) => c.command));
    // View commands VS Code itself adds for our views (focus, collapse all, …) are named after the view ids.
    const viewIds = Object.values(packageJson.contributes.views).flat().map((v) => v.id);
    const ours = (await vscode.commands.getCommands(true)).filter(
      (id) => id.startsWith('dockerFirewall.') && !viewIds.some((view) => id.startsWith(`${view}.`) || id === view),
    );
    const extra = ours.filter((id) => !contributed.has(id));
    assert.deepEqual(extra, [], `registered but not contributed: ${extra.join(', ')}`);
  });
});
