import * as vscode from 'vscode';
import type { PortExposure } from '../../core/firewall/exposure';
import type { Allow } from '../../core/firewall/policy';
import type { PortSpec } from '../../core/firewall/port';
import type { Cidr, Proto } from '../../core/validate';
import { parsePortInput, parseSource, portSpecProblem, sourceProblem } from './inputValidation';
import { portChoices } from './portChoices';

interface PortItem extends vscode.QuickPickItem {
  readonly spec: PortSpec | undefined;
}

/** Asks for a port: one of the host's published ports, or typed (validated as it is typed). */
export async function pickPortSpec(hostName: string, ports: readonly PortExposure[], allows: readonly Allow[]): Promise<PortSpec | undefined> {
  const other: PortItem = { label: `$(edit) ${vscode.l10n.t('Another port…')}`, description: vscode.l10n.t('type a port number'), spec: undefined, alwaysShow: true };
  const items: PortItem[] = [
    ...portChoices(ports, allows).map((c): PortItem => ({ label: c.label, description: c.description, detail: c.detail, spec: c.spec })),
    other,
  ];
  const title = vscode.l10n.t('Allow a port on {0}', hostName);
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: vscode.l10n.t('Which published port should be reachable from outside?'),
    matchOnDescription: true,
  });
  if (picked === undefined) return undefined;
  if (picked.spec !== undefined) return picked.spec;

  const typed = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Host port, optionally with its protocol'),
    placeHolder: vscode.l10n.t('8080 or 5353/udp'),
    validateInput: portSpecProblem,
    ignoreFocusOut: true,
  });
  if (typed === undefined) return undefined;
  const spec = parsePortInput(typed);
  if (spec.explicitProto) return { port: spec.port, proto: spec.proto };
  const proto = await pickProto(hostName, spec.port);
  return proto === undefined ? undefined : { port: spec.port, proto };
}

async function pickProto(hostName: string, port: number): Promise<Proto | undefined> {
  const items: (vscode.QuickPickItem & { proto: Proto })[] = [
    { label: 'tcp', description: vscode.l10n.t('web servers, databases, most services'), proto: 'tcp' },
    { label: 'udp', description: vscode.l10n.t('DNS, VPNs, games, streaming'), proto: 'udp' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Allow port {0} on {1}', port, hostName), placeHolder: vscode.l10n.t('Protocol') });
  return picked?.proto;
}

/** Asks where connections may come from; '' is anywhere. Undefined: cancelled. */
export async function askSource(hostName: string, what: string): Promise<{ from: Cidr | undefined } | undefined> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Allow {0} on {1}', what, hostName),
    prompt: vscode.l10n.t('Allow connections from this address or range only (leave empty for anywhere)'),
    placeHolder: vscode.l10n.t('anywhere, or e.g. 203.0.113.0/24, 198.51.100.7, 2001:db8::/32'),
    validateInput: sourceProblem,
    ignoreFocusOut: true,
  });
  if (text === undefined) return undefined;
  return { from: parseSource(text) };
}

/** Asks for a source that must be given (Allow from…). */
export async function askRequiredSource(hostName: string, what: string): Promise<Cidr | undefined> {
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('Allow {0} on {1} from…', what, hostName),
    prompt: vscode.l10n.t('Address or range that may connect'),
    placeHolder: vscode.l10n.t('e.g. 203.0.113.0/24, 198.51.100.7, 2001:db8::/32'),
    validateInput: (value) => (value.trim() === '' ? vscode.l10n.t('Give an address or range, e.g. 203.0.113.0/24.') : sourceProblem(value)),
    ignoreFocusOut: true,
  });
  return text === undefined ? undefined : parseSource(text);
}
