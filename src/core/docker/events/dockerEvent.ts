import { isRecord } from '../../validate';

/**
 * One line of Docker's event stream (`GET /events`), read strictly: the stream's bytes come from the
 * host and are hostile input. Only the events that change what the Hosts view shows are kept;
 * anything else, or anything not shaped as Docker writes it, is ignored (undefined), never thrown.
 */
export type DockerEventType = 'container' | 'network';
export type ContainerAction = 'start' | 'stop' | 'die' | 'destroy';
export type NetworkAction = 'connect' | 'disconnect';

export type DockerEvent =
  | { readonly type: 'container'; readonly action: ContainerAction; readonly id: string; readonly name: string | undefined }
  | { readonly type: 'network'; readonly action: NetworkAction; readonly id: string; readonly container: string | undefined };

const CONTAINER_ACTIONS: readonly string[] = ['start', 'stop', 'die', 'destroy'] satisfies ContainerAction[];
const NETWORK_ACTIONS: readonly string[] = ['connect', 'disconnect'] satisfies NetworkAction[];

/** The `filters` of the events request: Docker ORs values of one key and ANDs the keys. */
export const EVENT_FILTERS = { type: ['container', 'network'], event: [...CONTAINER_ACTIONS, ...NETWORK_ACTIONS] } as const;

/** A Docker object id: 64 hex digits. */
const ID = /^[0-9a-f]{64}$/;
/** Container names as Docker allows them. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

export function parseDockerEvent(line: string): DockerEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const actor = value.Actor;
  if (!isRecord(actor) || typeof actor.ID !== 'string' || !ID.test(actor.ID)) return undefined;
  const attributes = isRecord(actor.Attributes) ? actor.Attributes : {};
  const type = value.Type;
  const action = value.Action;
  if (typeof action !== 'string') return undefined;
  if (type === 'container' && CONTAINER_ACTIONS.includes(action)) {
    const name = typeof attributes.name === 'string' && NAME.test(attributes.name) ? attributes.name : undefined;
    return { type, action: action as ContainerAction, id: actor.ID, name };
  }
  if (type === 'network' && NETWORK_ACTIONS.includes(action)) {
    const container = typeof attributes.container === 'string' && ID.test(attributes.container) ? attributes.container : undefined;
    return { type, action: action as NetworkAction, id: actor.ID, container };
  }
  return undefined;
}
