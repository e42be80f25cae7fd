import * as vscode from 'vscode';
import { readSettings, SETTINGS_SECTION, type Settings } from './settings';
import { configuredHostsJson, type ConfiguredHost } from './configuredHosts';
import { windowSshDestination } from './sshRemoteAuthority';
import { withWindowHost } from './windowHost';

export interface SettingsChange {
  readonly previous: Settings;
  readonly current: Settings;
}

/**
 * The configured hosts and the other `dockerFirewall.*` settings, read once and again on every
 * change. Hosts are written to the user's settings, never to a workspace: a folder someone sends
 * you should not make the extension SSH anywhere.
 */
export class SettingsStore implements vscode.Disposable {
  private latest: Settings;
  private readonly changed = new vscode.EventEmitter<SettingsChange>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  /** Test seam (see useWindowFolders); undefined: the window's real workspace folders. */
  private windowFolders: readonly vscode.Uri[] | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.latest = this.read();
    this.subscriptions = [
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(SETTINGS_SECTION)) this.reread();
      }),
      // A Remote-SSH window's host comes from its folders' authority.
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reread()),
    ];
  }

  get current(): Settings {
    return this.latest;
  }

  get hosts(): readonly ConfiguredHost[] {
    return this.latest.hosts;
  }

  find(name: string): ConfiguredHost | undefined {
    return this.latest.hosts.find((h) => h.name === name);
  }

  async add(entries: readonly ConfiguredHost[]): Promise<void> {
    if (entries.length === 0) return;
    await this.write([...this.userHosts().filter((h) => !entries.some((e) => e.name === h.name)), ...entries]);
  }

  /**
   * Test seam: the workspace folder URIs to take the Remote-SSH window's host from, in place of
   * `vscode.workspace.workspaceFolders` (code-server cannot open a folder of an `ssh-remote+`
   * authority: it waits for a resolver that only Remote-SSH provides). Undefined returns to the real
   * folders. Everything after the URIs is the code a Remote-SSH window runs.
   */
  useWindowFolders(folders: readonly vscode.Uri[] | undefined): void {
    this.windowFolders = folders;
    this.reread();
  }

  /** Writes the Remote-SSH window's host, shown until now for this window only, to the settings. */
  async keepWindowHost(name: string): Promise<ConfiguredHost | undefined> {
    const windowHost = this.latest.windowHost;
    const entry = windowHost?.name === name ? this.find(name) : undefined;
    if (windowHost === undefined || entry === undefined || windowHost.saved) return undefined;
    await this.add([{ name: entry.name, destination: entry.destination }]);
    return entry;
  }

  async remove(name: string): Promise<void> {
    await this.write(this.userHosts().filter((h) => h.name !== name));
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
  }

  /** The user-level value only, so that writing it back never copies another level's entries into it. */
  private userHosts(): ConfiguredHost[] {
    const inspected = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect('hosts');
    return [...readSettings({ get: (key) => (key === 'hosts' ? inspected?.globalValue : undefined) }).hosts];
  }

  private async write(hosts: readonly ConfiguredHost[]): Promise<void> {
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update('hosts', configuredHostsJson(hosts), vscode.ConfigurationTarget.Global);
    // onDidChangeConfiguration follows; reading now as well keeps a caller that awaits this in step.
    const previous = this.latest;
    this.latest = this.read();
    if (JSON.stringify([previous.hosts, previous.windowHost]) !== JSON.stringify([this.latest.hosts, this.latest.windowHost])) this.changed.fire({ previous, current: this.latest });
  }

  private reread(): void {
    const previous = this.latest;
    this.latest = this.read();
    // write() has already announced its own change.
    if (JSON.stringify(previous) !== JSON.stringify(this.latest)) this.changed.fire({ previous, current: this.latest });
  }

  private read(): Settings {
    const settings = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION));
    for (const problem of settings.problems) this.log.warn(problem);
    const folders = this.windowFolders ?? (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
    return { ...settings, ...withWindowHost(settings.hosts, windowSshDestination(folders)) };
  }
}
