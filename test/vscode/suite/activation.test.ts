import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import packageJson from '../../../package.json';

const extensionId = `${packageJson.publisher}.${packageJson.name}`;

suite('Extension activation', () => {
  test('the extension under development is loaded', () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not among the loaded extensions`);
    assert.equal((extension.packageJSON as { version?: unknown }).version, packageJson.version);
  });

  test('activate() completes and leaves the extension active', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not among the loaded extensions`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });
});
