import * as vscode from 'vscode';
import { myAddress } from '../../../core/firewall/allowRequest';
import { portText } from '../../../core/firewall/port';
import type { Services } from '../../services';
import { allowOnHost } from '../../tasks/allowOnHost';
import { runOnHost } from '../../tasks/hostTask';
import { resolvePort } from '../../tasks/resolvePort';
import { fromMeTexts } from '../../ui/allowText';
import { confirm } from '../../ui/confirm';
import { pickDuration } from '../../ui/pickDuration';
import { HOST_ACTIONS } from '../../failure';

/**
 * Port, host or Command Palette: Allow from My Address… — a port opened to the address the host
 * sees this client connect from (a /32 or /128), for as long as asked. On a host it asks for the
 * port first, as Allow Port… does. The address is read from the host and shown before anything
 * changes; through a ProxyJump host it is that host's, which is said, and asked in a modal.
 */
export async function allowFromMe(services: Services, arg?: unknown): Promise<void> {
  const target = await resolvePort(services, arg, vscode.l10n.t('Allow from my address: which host?'));
  if (target === undefined) return;
  const { entry, spec } = target;
  const seen = await runOnHost(services, entry, { action: HOST_ACTIONS.readClientAddress, title: vscode.l10n.t('Reading {0}…', entry.name) }, async (host, signal) => {
    const reading = await host.read(signal);
    return { clientAddress: reading.facts.ssh?.clientAddress };
  });
  if (seen === undefined) return; // runOnHost has said why
  if (seen.clientAddress === undefined) {
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        '{0} did not say which address you connect from (no SSH_CONNECTION in its environment): use Allow from… with your address instead. Nothing was changed.',
        entry.name,
      ),
    );
    return;
  }
  const address = myAddress({ now: 0, clientAddress: seen.clientAddress }).text.replace(/\/(32|128)$/, '');
  const texts = fromMeTexts(entry.name, portText(spec), address, services.connections.get(entry).throughJump() === true);
  const duration = await pickDuration(texts.title, texts.placeHolder);
  if (duration === undefined) return;
  if (texts.jumpConfirmation !== undefined) {
    const confirmation = texts.jumpConfirmation;
    if ((await confirm(services.settings.current.confirmDestructiveActions, confirmation)) !== confirmation.action) return;
  }
  services.log.info(`${entry.name}: allowing ${portText(spec)} from ${address} (the address it sees you at), ${duration.forSeconds === undefined ? 'until taken back' : `for ${duration.forSeconds} s`}.`);
  await allowOnHost(services, entry, { ...spec, from: 'me', forSeconds: duration.forSeconds });
}
