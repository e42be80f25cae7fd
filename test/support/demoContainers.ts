/**
 * The lab's demo containers (lab/lib/containers.sh) and their published ports, as `docker ps`
 * shows them on both Docker versions; the recordings in test/fixtures/docker are of the same set.
 */
export const DEMO_PORTS: Readonly<Record<string, readonly string[]>> = {
  admin: ['127.0.0.1:8082->80/tcp'],
  app: ['0.0.0.0:8081->80/tcp', '[::]:8081->80/tcp'],
  dns: ['0.0.0.0:5353->5353/udp', '[::]:5353->5353/udp'],
  web: ['0.0.0.0:8080->80/tcp', '[::]:8080->80/tcp'],
  worker: [],
};
