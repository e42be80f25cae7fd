import * as vscode from 'vscode';
import { readSettings, SETTINGS_SECTION, type Settings } from './settings';
import { configuredHostsJson, type ConfiguredHost } from './configuredHosts';

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
  private readonly subscription: vscode.Disposable;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.latest = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
      const previous = this.latest;
      this.latest = this.read();
      // write() has already announced its own change.
      if (JSON.stringify(previous) !== JSON.stringify(this.latest)) this.changed.fire({ previous, current: this.latest });
    });
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

  async remove(name: string): Promise<void> {
    await this.write(this.userHosts().filter((h) => h.name !== name));
  }

  dispose(): void {
    this.subscription.dispose();
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
    if (JSON.stringify(previous.hosts) !== JSON.stringify(this.latest.hosts)) this.changed.fire({ previous, current: this.latest });
  }

  private read(): Settings {
    const settings = readSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION));
    for (const problem of settings.problems) this.log.warn(problem);
    return settings;
  }
}
