/** Docker's socket on a host, where the engine reads the Engine API and the watcher follows its events. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
