// A Docker host that really boots: the Debian 12 tree of scripts/systemd-host-tree.sh (systemd,
// docker.io 20.10, OpenSSH, iptables) booted with systemd-nspawn on the lab's LAN. Each boot gets a
// fresh network namespace (empty netfilter tables, as a fresh kernel has) and runs the unit files as
// systemd does, so a reboot here is a reboot: `systemctl reboot` ends systemd-nspawn with exit 133,
// and it is started again.
//
// Nothing in the tree changes: each machine boots through an overlay whose upper layer (the
// machine's disk) lives for the test, and Docker's state is a folder of its own. systemd-nspawn
// runs in the mount namespace `ip netns exec` was started from (the one it makes for the test has a
// sysfs without the cgroup hierarchy) and in the lab's LAN namespace, bridged to its br0.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, run, runOk, tcpConnect, type Lab, type RunResult } from './lab';
import { sleep } from './faults';

export const SYSTEMD_TREE = join(REPO_ROOT, '.tools', 'systemd-host', 'rootfs');

/** Why a systemd host cannot boot here, or false. */
export function systemdHostReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (systemd-nspawn, overlay mounts)';
  if (spawnSync('which', ['systemd-nspawn']).status !== 0) return 'systemd-nspawn is missing (Debian package systemd-container; scripts/setup.sh installs it)';
  if (!existsSync(join(SYSTEMD_TREE, '.complete'))) return `no Debian tree at ${SYSTEMD_TREE}: run bash scripts/systemd-host-tree.sh (debootstrap, once)`;
  return false;
}

export type IptablesVariant = 'nft' | 'legacy';

export interface SystemdMachine {
  /** The ssh alias in sshConfig, and the name the figures give the host. */
  readonly name: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly ns: string;
  /** Docker's server version on the machine. */
  readonly docker: string;
  readonly variant: IptablesVariant;
  /** An ssh config with the alias `name` (root, the lab's key, this machine's host key). */
  readonly sshConfig: string;
  /** Boots so far (1 after the first). */
  readonly boots: number;
  /** Runs a shell command line on the machine as root over SSH from the lab's outside namespace. */
  ssh(command: string, options?: { input?: string | Buffer; timeoutMs?: number }): Promise<RunResult>;
  /** `systemctl reboot`, and waits until systemd runs again and SSH answers; resolves with the ms that took. */
  reboot(): Promise<number>;
  /** Powers the machine off and removes everything made for it. */
  stop(): Promise<void>;
}

/**
 * The mount namespace of the nearest ancestor process outside ours: the one `ip netns exec` (which
 * gives its command a mount namespace of its own) was started from. Ours when there is none.
 */
function outerMountNamespace(): string {
  const own = readlinkSync('/proc/self/ns/mnt');
  let pid = process.pid;
  while (pid > 1) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    try {
      if (readlinkSync(`/proc/${pid}/ns/mnt`) !== own) return `/proc/${pid}/ns/mnt`;
    } catch {
      break; // an ancestor we may not look at: no further
    }
  }
  return '/proc/self/ns/mnt';
}

/** Boots a machine on the lab's LAN at 192.0.2.(150+index) and 2001:db8:1::(150+index). */
export async function bootSystemdMachine(lab: Lab, options: { variant: IptablesVariant; index: number }): Promise<SystemdMachine> {
  const suffix = 150 + options.index;
  const name = `sd${options.index}`;
  const machine = `${lab.name}${name}`;
  const ipv4 = `192.0.2.${suffix}`;
  const ipv6 = `2001:db8:1::${suffix}`;
  const dir = mkdtempSync('/var/tmp/dfw-sd-');
  const [upper, work, merged, docker] = ['upper', 'work', 'merged', 'docker'].map((d) => join(dir, d)) as [string, string, string, string];
  for (const d of [upper, work, merged, docker]) mkdirSync(d);

  // The machine's own settings, written into the overlay's upper layer before it is mounted.
  mkdirSync(join(upper, 'etc/default'), { recursive: true });
  writeFileSync(join(upper, 'etc/default/lab-net'), `ADDR4=${ipv4}/24\nADDR6=${ipv6}/64\n`);
  writeFileSync(join(upper, 'etc/hostname'), `${machine}\n`);
  mkdirSync(join(upper, 'root/.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(upper, 'root/.ssh/authorized_keys'), readFileSync(`${lab.keys.root}.pub`));
  if (options.variant === 'legacy') {
    // What `update-alternatives --set iptables /usr/sbin/iptables-legacy` (and ip6tables) leaves.
    mkdirSync(join(upper, 'etc/alternatives'), { recursive: true });
    for (const family of ['iptables', 'ip6tables']) {
      for (const tool of ['', '-restore', '-save']) symlinkSync(`/usr/sbin/${family}-legacy${tool}`, join(upper, 'etc/alternatives', `${family}${tool}`));
    }
  }
  const hostKey = readFileSync(join(SYSTEMD_TREE, 'etc/ssh/ssh_host_ed25519_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${ipv4},${ipv6} ${hostKey}\n`);
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    [
      `Host ${name}`,
      `  HostName ${ipv4}`,
      '  User root',
      `  IdentityFile ${lab.keys.root}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  ConnectTimeout 5',
      '',
    ].join('\n'),
  );
  const mounts = outerMountNamespace();
  const inOuterMounts = (argv: readonly string[]) => ['nsenter', `--mount=${mounts}`, '--', ...argv];
  await runOk(inOuterMounts(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${SYSTEMD_TREE},upperdir=${upper},workdir=${work}`, merged]));

  const nspawn = [
    'nsenter', `--mount=${mounts}`, `--net=/run/netns/${lab.name}-lan`, '--',
    'systemd-nspawn', '--quiet', '--directory', merged, '--boot', '--register=no', '--keep-unit', '--network-bridge=br0',
    '--machine', machine, `--bind=${docker}:/var/lib/docker`,
    // runc (in the machine's dockerd) needs the keyring calls that nspawn's filter forbids.
    '--system-call-filter=add_key keyctl bpf', '--console=read-only',
  ];
  let boots = 0;
  let child: ChildProcess | undefined;
  let stopped = false;
  let exited: Promise<number | null> = Promise.resolve(null);
  const boot = () => {
    boots++;
    const started = spawn(nspawn[0]!, nspawn.slice(1), { stdio: ['ignore', 'ignore', 'ignore'] });
    child = started;
    exited = new Promise((resolve) => started.once('exit', (code) => resolve(code)));
    // 133: the machine asked for a reboot; systemd-nspawn leaves it to its caller to boot again.
    void exited.then((code) => {
      if (code === 133 && !stopped) boot();
    });
  };

  const ssh = (command: string, opts: { input?: string | Buffer; timeoutMs?: number } = {}) =>
    run(['ip', 'netns', 'exec', lab.outside.ns, 'ssh', '-F', sshConfig, name, command], { timeoutMs: opts.timeoutMs ?? 60_000, ...(opts.input === undefined ? {} : { input: opts.input }) });

  /** Waits until this boot's systemd has finished starting (SSH first, then is-system-running --wait). */
  const untilUp = async (bootNumber: number, timeoutMs = 120_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${machine}: boot ${bootNumber} did not bring SSH up within ${timeoutMs} ms`);
      if (boots >= bootNumber && (await tcpConnect(lab.outside.ns, ipv4, 22, 1000)) === 'open') {
        const state = await ssh('systemctl is-system-running --wait', { timeoutMs: Math.max(1000, deadline - Date.now()) });
        if (/^(running|degraded)$/m.test(state.stdout)) return;
      }
      await sleep(250);
    }
  };

  const stop = async () => {
    stopped = true;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await ssh('systemctl poweroff', { timeoutMs: 10_000 });
      const done = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
      if (!done && child.pid !== undefined) {
        process.kill(child.pid, 'SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
      }
    }
    await run(inOuterMounts(['umount', merged]));
    rmSync(dir, { recursive: true, force: true });
    rmSync(`/run/systemd/nspawn/propagate/${machine}`, { recursive: true, force: true });
  };

  try {
    boot();
    await untilUp(1);
    const version = await ssh("docker version --format '{{.Server.Version}}'");
    if (version.code !== 0) throw new Error(`${machine}: dockerd does not answer: ${version.stderr}`);
    return {
      name,
      ipv4,
      ipv6,
      ns: `${lab.name}-lan`,
      docker: version.stdout.trim(),
      variant: options.variant,
      sshConfig,
      get boots() {
        return boots;
      },
      ssh,
      reboot: async () => {
        const next = boots + 1;
        const started = Date.now();
        await ssh('systemctl reboot', { timeoutMs: 10_000 });
        await untilUp(next);
        return Date.now() - started;
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
