import assert from 'node:assert/strict';
import { onHost, type Lab, type LabHost } from './lab';

/** Recreates a lab container as lab/lib/containers.sh makes it, after a placeholder took its address. */
export async function recreate(lab: Lab, host: LabHost, name: string, network: string | undefined, publish: string): Promise<{ before: string; after: string }> {
  const address = async () =>
    (await onHost(host, ['docker', 'inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name])).stdout.trim();
  const before = await address();
  const placeholder = `reliability-placeholder-${name}`;
  const docker = async (args: string[]) => {
    const result = await onHost(host, ['docker', ...args], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  };
  await docker(['rm', '--force', name]);
  // The freed address goes to a placeholder, so the new container gets another one.
  await docker(['run', '--detach', '--name', placeholder, '--label', `lab=${lab.name}`, ...(network ? ['--network', network] : []), 'lab/busybox:1', 'sleep', '600']);
  await docker([
    'run', '--detach', '--name', name, '--init', '--restart', 'unless-stopped', '--label', `lab=${lab.name}`,
    '--env', `LAB_HOST=${host.name}`, '--env', `LAB_CONTAINER=${name}`, ...(network ? ['--network', network] : []),
    '--publish', publish, 'lab/busybox:1', 'lab-page-server',
  ]);
  await docker(['rm', '--force', placeholder]);
  return { before, after: await address() };
}
