import * as l10n from '@vscode/l10n';
import { InvalidInput } from '../errors';

/** Docker's socket on a host, where the engine reads the Engine API and the watcher follows its events. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** A socket path that may be written into a command or a script: absolute, plain characters, no `..`. */
export const DOCKER_SOCKET_PATH = /^\/(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9_./-]{1,200}$/;

/** The Docker socket path of a host, checked before anything connects; undefined is the default. */
export function parseDockerSocket(text: string | undefined): string {
  if (text === undefined) return DEFAULT_DOCKER_SOCKET;
  if (!DOCKER_SOCKET_PATH.test(text)) {
    throw new InvalidInput(l10n.t('{0} is not a Docker socket path: give an absolute path of letters, digits, _ . / and - (like {1}).', JSON.stringify(text), DEFAULT_DOCKER_SOCKET));
  }
  return text;
}
