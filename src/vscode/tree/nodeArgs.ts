import type { HostTreeNode, PortNode } from './nodes';

/**
 * What a command handler receives: a tree node (from a view), a host name (from a test or a
 * keybinding's args), or nothing (from the Command Palette, then it asks). Pure, unit-tested.
 */
export function hostNameFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.trim() === '' ? undefined : arg;
  if (typeof arg === 'object' && arg !== null && 'hostName' in arg) {
    const name = arg.hostName;
    if (typeof name === 'string' && name !== '') return name;
  }
  return undefined;
}

export function portNodeFromArg(arg: unknown): PortNode | undefined {
  if (!isNode(arg) || arg.kind !== 'port') return undefined;
  const port = (arg as { port?: unknown }).port;
  if (typeof port !== 'object' || port === null) return undefined;
  const { hostPort, proto } = port as { hostPort?: unknown; proto?: unknown };
  return typeof hostPort === 'number' && typeof proto === 'string' ? arg : undefined;
}

function isNode(arg: unknown): arg is HostTreeNode {
  return typeof arg === 'object' && arg !== null && typeof (arg as { kind?: unknown }).kind === 'string' && hostNameFromArg(arg) !== undefined;
}

/** A group's name from a group node (a click in the view) or a string (a test, a keybinding's args). */
export function groupNameFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.trim() === '' ? undefined : arg;
  if (typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'group') {
    const group = (arg as { group?: unknown }).group;
    if (typeof group === 'string' && group !== '') return group;
  }
  return undefined;
}
