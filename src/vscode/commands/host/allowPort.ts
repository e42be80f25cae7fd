import * as vscode from 'vscode';
import { portText } from '../../../core/firewall/port';
import type { Services } from '../../services';
import { resolveHost } from '../../ui/pickHost';
import { askSource, pickPortSpec } from '../../ui/pickPort';
import { pickDuration } from '../../ui/pickDuration';
import { requestText } from '../../ui/allowText';
import { allowOnHost } from '../../tasks/allowOnHost';
import { runOnHost } from '../../tasks/hostTask';
import { HOST_ACTIONS } from '../../failure';

/**
 * Host or Command Palette: Allow Port… asks for the host, then one of its published ports (or a
 * typed one), the protocol when it was not given, an optional source range, and for how long.
 */
export async function allowPort(services: Services, arg?: unknown): Promise<void> {
  const entry = await resolveHost(services, arg, vscode.l10n.t('Allow a port on which host?'));
  if (entry === undefined) return;
  const current = await runOnHost(services, entry, { action: HOST_ACTIONS.listPublishedPorts, title: vscode.l10n.t('Reading {0}…', entry.name) }, (host, signal) =>
    host.status(signal),
  );
  if (current === undefined) return;
  const spec = await pickPortSpec(entry.name, current.firewall.ports, current.firewall.policy.allows);
  if (spec === undefined) return;
  const source = await askSource(entry.name, portText(spec));
  if (source === undefined) return;
  const duration = await pickDuration(
    source.from === undefined
      ? vscode.l10n.t('Allow {0} on {1} from anywhere', portText(spec), entry.name)
      : vscode.l10n.t('Allow {0} on {1} from {2}', portText(spec), entry.name, source.from.text),
  );
  if (duration === undefined) return;
  const request = { port: spec.port, proto: spec.proto, from: source.from, forSeconds: duration.forSeconds };
  services.log.info(`${entry.name}: allowing ${requestText(request)}.`);
  await allowOnHost(services, entry, request);
}
