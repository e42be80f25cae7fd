/**
 * Every command the extension contributes, declared once. The id is `dockerFirewall.<key>`;
 * package.json's `contributes.commands` lists exactly these with the same titles and icons (a unit
 * test checks), and registerCommands.ts must give each one a handler (the compiler checks).
 * Pure: imported by unit tests that run without VS Code.
 */
export const CATEGORY = 'Docker Firewall';

export interface CommandInfo {
  readonly title: string;
  /** A codicon id, shown when the command sits inline in a view. */
  readonly icon?: string;
  /** False for commands that only make sense on a tree item (hidden from the Command Palette). */
  readonly palette?: boolean;
}

export const COMMANDS = {
  addHost: { title: 'Add Host…', icon: 'add' },
  importHosts: { title: 'Import from SSH Config…', icon: 'cloud-download' },
  removeHost: { title: 'Remove Host' },
  keepHost: { title: 'Keep in My Hosts', icon: 'pin' },
  refreshHosts: { title: 'Refresh All Hosts', icon: 'refresh' },
  refreshHost: { title: 'Refresh', icon: 'refresh' },
  retryHost: { title: 'Retry', icon: 'refresh', palette: false },
  blockHost: { title: 'Block External Access', icon: 'lock' },
  unblockHost: { title: 'Remove Lockdown', icon: 'unlock' },
  allowPort: { title: 'Allow Port…' },
  allowPortAccess: { title: 'Allow External Access', icon: 'unlock', palette: false },
  allowPortFrom: { title: 'Allow from…', palette: false },
  allowFromMe: { title: 'Allow from My Address…' },
  denyPort: { title: 'Block Again', icon: 'lock' },
  persistHost: { title: 'Make Persistent', icon: 'save' },
  pruneHost: { title: 'Clean Up Expired', icon: 'clear-all' },
  previewRules: { title: 'Preview Rules' },
  showChainStatus: { title: 'Show Chain Status', icon: 'pulse' },
  checkFromHere: { title: 'Check From Here', icon: 'radio-tower' },
  blockGroup: { title: 'Block External Access on Every Host', icon: 'lock' },
  checkGroup: { title: 'Check Every Host From Here', icon: 'radio-tower' },
  selectHost: { title: 'Select Host…', icon: 'server' },
  refreshChainStatus: { title: 'Refresh Chain Status', icon: 'refresh' },
  pruneChainStatusHost: { title: 'Clean Up Expired', icon: 'clear-all', palette: false },
  showLog: { title: 'Show Log', icon: 'output' },
} as const satisfies Record<string, CommandInfo>;

export type CommandKey = keyof typeof COMMANDS;
export type CommandId = `dockerFirewall.${CommandKey}`;

export function commandId(key: CommandKey): CommandId {
  return `dockerFirewall.${key}`;
}

export const COMMAND_KEYS = Object.keys(COMMANDS) as CommandKey[];

/** The views the extension contributes, for ids used in code (focus commands, when clauses). */
export const VIEWS = {
  container: 'dockerFirewall',
  hosts: 'dockerFirewall.hosts',
  chainStatus: 'dockerFirewall.chainStatus',
} as const;

/** Context keys the extension sets, for `when` clauses in package.json. */
export const CONTEXT_KEYS = {
  /** The Chain Status view shows a host (its welcome content and Refresh action depend on it). */
  chainStatusHostSelected: 'dockerFirewall.chainStatusHostSelected',
  /** The host Chain Status shows has allows that ended (its Clean Up Expired title action). */
  chainStatusAllowsEnded: 'dockerFirewall.chainStatusAllowsEnded',
} as const;
