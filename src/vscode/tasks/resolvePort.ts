import * as vscode from 'vscode';
import { hostPortText, specOf, type PortSpec } from '../../core/firewall/port';
import type { ConfiguredHost } from '../settings/configuredHosts';
import type { Services } from '../services';
import type { PortNode } from '../tree/nodes';
import { resolveHost } from '../ui/pickHost';
import { pickPortSpec } from '../ui/pickPort';
import { portNodeFromArg } from '../tree/nodeArgs';
import { runOnHost } from './hostTask';
import { HOST_ACTIONS } from '../failure';

export interface PortTarget {
  readonly entry: ConfiguredHost;
  readonly spec: PortSpec;
  /** The port item the command came from, if any. */
  readonly node: PortNode | undefined;
}

/** The port a port command is about: its tree item's, or asked for (host, with `hostPlaceHolder`, then port). */
export async function resolvePort(services: Services, arg: unknown, hostPlaceHolder: string): Promise<PortTarget | undefined> {
  const node = portNodeFromArg(arg);
  if (node !== undefined) {
    const entry = services.settings.find(node.hostName);
    if (entry === undefined) return undefined;
    const spec = specOf(node.port);
    if (spec === undefined) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Docker Firewall allows tcp and udp ports only; {0} stays as the lockdown has it.', hostPortText(node.port)));
      return undefined;
    }
    return { entry, spec, node };
  }
  const entry = await resolveHost(services, arg, hostPlaceHolder);
  if (entry === undefined) return undefined;
  const current = await runOnHost(services, entry, { action: HOST_ACTIONS.listPublishedPorts, title: vscode.l10n.t('Reading {0}…', entry.name) }, (host, signal) =>
    host.status(signal),
  );
  if (current === undefined) return undefined;
  const spec = await pickPortSpec(entry.name, current.firewall.ports, current.firewall.policy.allows);
  return spec === undefined ? undefined : { entry, spec, node: undefined };
}
