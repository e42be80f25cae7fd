import assert from 'node:assert/strict';
import { onHost, type Lab, type LabHost } from './lab';

/** Recreates a lab container as lab/lib/containers.sh makes it, after a placeholder took its address. */
export async function recreate(lab: Lab, host: LabHost, name: string, network: string | undefined, publish: string): Promise<{ before: string; after: string }> {
  const address = async () =>
    (await onHost(host, ['docker', 'inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name])).stdout.trim();
  const before = await address();
  const placeholder = `reliability-placeholder-${name}`;
  const docker = labDocker(host);
  await docker(['rm', '--force', name]);
  // The freed address goes to a placeholder, so the new container gets another one.
  await docker(['run', '--detach', '--name', placeholder, '--label', `lab=${lab.name}`, ...(network ? ['--network', network] : []), 'lab/busybox:1', 'sleep', '600']);
  await runLabContainer(lab, host, name, network, publish);
  await docker(['rm', '--force', placeholder]);
  return { before, after: await address() };
}

/** Runs docker on a lab host; a failure fails the test with docker's own message. */
export function labDocker(host: LabHost): (args: string[]) => Promise<void> {
  return async (args) => {
    const result = await onHost(host, ['docker', ...args], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  };
}

/** Runs a lab container (a page server publishing `publish`) as lab/lib/containers.sh makes it. */
export async function runLabContainer(lab: Lab, host: LabHost, name: string, network: string | undefined, publish: string): Promise<void> {
  await labDocker(host)([
    'run', '--detach', '--name', name, '--init', '--restart', 'unless-stopped', '--label', `lab=${lab.name}`,
    '--env', `LAB_HOST=${host.name}`, '--env', `LAB_CONTAINER=${name}`, ...(network ? ['--network', network] : []),
    '--publish', publish, 'lab/busybox:1', 'lab-page-server',
  ]);
}
