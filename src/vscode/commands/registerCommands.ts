import * as vscode from 'vscode';
import type { Services } from '../services';
import { reasonOf } from '../ui/failure';
import { addHost } from './addHost';
import { allowPort } from './allowPort';
import { allowPortAccess } from './allowPortAccess';
import { allowPortFrom } from './allowPortFrom';
import { blockHost } from './blockHost';
import { COMMAND_KEYS, commandId, type CommandKey } from './commandTable';
import { denyPort } from './denyPort';
import { importHosts } from './importHosts';
import { persistHost } from './persistHost';
import { previewRules } from './previewRules';
import { refreshChainStatus } from './refreshChainStatus';
import { refreshHost } from './refreshHost';
import { refreshHosts } from './refreshHosts';
import { removeHost } from './removeHost';
import { retryHost } from './retryHost';
import { selectHost } from './selectHost';
import { showChainStatus } from './showChainStatus';
import { showLog } from './showLog';
import { unblockHost } from './unblockHost';

/** A handler gets the tree node it was invoked on (or a host name), or nothing from the Command Palette. */
type Handler = (services: Services, arg?: unknown) => unknown;

/** Every command of the table has exactly one handler: a missing or extra key does not compile. */
const HANDLERS: Record<CommandKey, Handler> = {
  addHost,
  importHosts,
  removeHost,
  refreshHosts,
  refreshHost,
  retryHost,
  blockHost,
  unblockHost,
  allowPort,
  allowPortAccess,
  allowPortFrom,
  denyPort,
  persistHost,
  previewRules,
  showChainStatus,
  selectHost,
  refreshChainStatus,
  showLog,
};

export function registerCommands(services: Services): vscode.Disposable[] {
  return COMMAND_KEYS.map((key) =>
    vscode.commands.registerCommand(commandId(key), async (arg?: unknown) => {
      try {
        return await HANDLERS[key](services, arg);
      } catch (error) {
        // Handlers report host failures themselves; this is for the unexpected.
        services.log.error(`${commandId(key)}: ${reasonOf(error)}`);
        if (error instanceof Error && error.stack !== undefined) services.log.debug(error.stack);
        void vscode.window.showErrorMessage(`Docker Firewall: ${reasonOf(error)}`, 'Show Log').then((choice) => {
          if (choice !== undefined) services.log.show(true);
        });
        return undefined;
      }
    }),
  );
}
