import * as vscode from 'vscode';
import type { Services } from '../services';
import { logLines, reasonOf, unexpectedFailureNotice } from '../failure';
import { addHost } from './hosts/addHost';
import { allowPort } from './host/allowPort';
import { allowPortAccess } from './port/allowPortAccess';
import { allowPortFrom } from './port/allowPortFrom';
import { allowFromMe } from './port/allowFromMe';
import { blockHost } from './host/blockHost';
import { blockGroup } from './group/blockGroup';
import { checkGroup } from './group/checkGroup';
import { checkFromHere } from './host/checkFromHere';
import { COMMAND_KEYS, commandId, type CommandKey } from '../ids';
import { denyPort } from './port/denyPort';
import { importHosts } from './hosts/importHosts';
import { keepHost } from './host/keepHost';
import { persistHost } from './host/persistHost';
import { previewRules } from './host/previewRules';
import { pruneHost } from './host/pruneHost';
import { refreshChainStatus } from './chainStatus/refreshChainStatus';
import { pruneChainStatusHost } from './chainStatus/pruneChainStatusHost';
import { refreshHost } from './host/refreshHost';
import { refreshHosts } from './hosts/refreshHosts';
import { removeHost } from './host/removeHost';
import { retryHost } from './host/retryHost';
import { selectHost } from './chainStatus/selectHost';
import { showChainStatus } from './host/showChainStatus';
import { showLog } from './showLog';
import { unblockHost } from './host/unblockHost';

/** A handler gets the tree node it was invoked on (or a host name), or nothing from the Command Palette. */
type Handler = (services: Services, arg?: unknown) => unknown;

/** Every command of the table has exactly one handler: a missing or extra key does not compile. */
const HANDLERS: Record<CommandKey, Handler> = {
  addHost,
  importHosts,
  removeHost,
  keepHost,
  refreshHosts,
  refreshHost,
  retryHost,
  blockHost,
  unblockHost,
  allowPort,
  allowPortAccess,
  allowPortFrom,
  allowFromMe,
  denyPort,
  persistHost,
  pruneHost,
  previewRules,
  showChainStatus,
  checkFromHere,
  blockGroup,
  checkGroup,
  selectHost,
  refreshChainStatus,
  pruneChainStatusHost,
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
        if (error instanceof Error && error.stack !== undefined) services.log.debug(logLines(error.stack));
        void vscode.window.showErrorMessage(unexpectedFailureNotice(error), vscode.l10n.t('Show Log')).then((choice) => {
          if (choice !== undefined) services.log.show(true);
        });
        return undefined;
      }
    }),
  );
}
