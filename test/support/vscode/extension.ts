// The extension under test as the suite reaches it: its test API (what activate() returns) and
// helpers to find items in the views' snapshots.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DockerFirewallApi, TreeSnapshotItem } from '../../../src/vscode/api';
import packageJson from '../../../package.json';

export const EXTENSION_ID = `${packageJson.publisher}.${packageJson.name}`;

export function extension(): vscode.Extension<DockerFirewallApi> {
  const found = vscode.extensions.getExtension<DockerFirewallApi>(EXTENSION_ID);
  assert.ok(found, `${EXTENSION_ID} is not among the loaded extensions`);
  return found;
}

/** Activates the extension (if it is not yet) and returns its test API. */
export async function activateApi(): Promise<DockerFirewallApi> {
  const api = await extension().activate();
  assert.equal(api.version, 1, 'unexpected test API version');
  return api;
}

/** The folder the extension was loaded from: the repository (dist/cli.js lives there too). */
export function extensionRoot(): string {
  return extension().extensionPath;
}

export function labelsOf(items: readonly TreeSnapshotItem[]): string[] {
  return items.map((item) => item.label);
}

export function child(items: readonly TreeSnapshotItem[], label: string): TreeSnapshotItem {
  const item = items.find((candidate) => candidate.label === label);
  assert.ok(item, `no item "${label}" among ${JSON.stringify(labelsOf(items))}`);
  return item;
}

/** The host's item in a fresh snapshot of the Hosts tree. */
export async function hostItem(api: DockerFirewallApi, hostName: string): Promise<TreeSnapshotItem> {
  return child(await api.treeSnapshot(), hostName);
}

/** `container port-label` → description, for every published port under a host item. */
export function exposures(host: TreeSnapshotItem): Record<string, string> {
  const result: Record<string, string> = {};
  for (const container of host.children) for (const port of container.children) result[`${container.label} ${port.label}`] = port.description;
  return result;
}

/** The port item `label` (e.g. `0.0.0.0:8080 → 80/tcp`) of a container under a host item. */
export function portItem(host: TreeSnapshotItem, container: string, label: string): TreeSnapshotItem {
  return child(child(host.children, container).children, label);
}

/** Runs a contributed command as a click in a view would: with the tree node as its argument. */
export async function runCommand(command: string, arg?: unknown): Promise<void> {
  await vscode.commands.executeCommand(command, arg);
}
