import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isLabUp, loadLab, type Lab } from '../support/lab';
import { cli, type StatusJson } from '../support/engine';
import { measure } from '../support/figures';
import { ALLOWED_8080, WATCHED_8081 } from '../support/lockedPorts';
import { assertEvidence, expectedOf, probe, probeBlocked, reachability, watchBlocked } from '../support/probes';
import { labReason, unmet } from '../support/requirements';
import { bootSystemdMachine, systemdHostReason, type IptablesVariant, type SystemdMachine } from '../support/systemdHost';
import { sleep } from '../support/faults';
import { DOCKER_DROP_IN, PERSIST_DIR, RESTORE_SCRIPT, UNIT_PATH } from '../../src/core/firewall/persistence';
import { writeReport } from '../../scripts/reliability-report';

/**
 * `persist`, then a real reboot: a Debian 12 host with systemd and Docker 20.10 (see
 * test/support/systemdHost.ts) boots on the lab's LAN, is locked with 8080 allowed and made
 * persistent by the CLI, and reboots. Its netfilter tables start empty, systemd runs the restore
 * unit (Before=docker.service), starts dockerd and runs the drop-in's ExecStartPost; the blocked port
 * is probed from outside beside the allowed one all along. Once with iptables-nft (Debian's
 * default) and once with iptables-legacy: the engine and the restore script on a legacy Docker host.
 */
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

/**
 * Failures this test found are fixed, not marked: on iptables-legacy the restore script used to fail
 * every time (iptables-legacy-restore held the xtables lock while the script's own iptables-legacy
 * queries waited for it: "COMMIT expected at line 2", the host booted open); unblock on the host
 * that then read open left the saved rules in place; and the restore unit, which runs before local
 * file systems are mounted, wrote its transaction to a file in /tmp that the tmpfs mounted there
 * then hid ("cannot open /tmp/tmp.…"): the unit failed and 8081 answered from outside over IPv4 and
 * IPv6 from dockerd's start to its ExecStartPost (555 and 687 connections in two boots, 2026-12-05).
 * Kept as a table so that a new known failure is written down here, with its reason, rather than
 * skipped.
 */
const KNOWN_FAILING: Partial<Record<IptablesVariant, { reboot?: string; unblock?: string }>> = {};

for (const [index, variant] of (['nft', 'legacy'] as const satisfies readonly IptablesVariant[]).entries()) {
  const missing = labReason({ outside: true });
  const skip = unmet(`a real reboot (iptables-${variant})`, missing !== false ? missing : systemdHostReason());
  const known = KNOWN_FAILING[variant];

  describe(`a real reboot of a systemd Docker host, iptables-${variant}`, { skip }, () => {
    let machine: SystemdMachine;
    const out = () => lab!.outside.ns;
    const df = (args: string[]) => cli(args, { sshConfig: machine.sshConfig });
    const sh = async (command: string): Promise<string> => {
      const result = await machine.ssh(command);
      assert.equal(result.code, 0, `${command}: ${result.stderr}`);
      return result.stdout;
    };
    const status = async (): Promise<StatusJson> => {
      const result = await df(['--json', 'status', machine.name]);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout) as StatusJson;
    };

    before(async () => {
      machine = await bootSystemdMachine(lab!, { variant, index: index + 1 });
      // The lab's page server, published as on the lab hosts: web on docker0, app on a user-defined network.
      const image = await machine.ssh('docker import - lab/busybox:1 >/dev/null', { input: readFileSync(`${lab!.labDir}/images/busybox.tar`), timeoutMs: 120_000 });
      assert.equal(image.code, 0, image.stderr);
      await sh('docker network create appnet >/dev/null');
      for (const [name, network, port] of [['web', 'bridge', 8080], ['app', 'appnet', 8081]] as const) {
        await sh(`docker run -d --name ${name} --network ${network} --init --restart unless-stopped -e LAB_HOST=${machine.name} -e LAB_CONTAINER=${name} -p ${port}:80 lab/busybox:1 lab-page-server >/dev/null`);
      }
      for (const port of [8080, 8081]) assert.equal(await waitOpen(machine, port), 'open', `${port} does not answer before the test`);
    });
    after(async () => {
      await machine?.stop();
      writeReport();
    });

    async function waitOpen(m: SystemdMachine, port: number, timeoutMs = 30_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const outcome = await probe(out(), m, { port, family: 'ipv4' }, 1000);
        if (outcome === 'open' || Date.now() > deadline) return outcome;
        await sleep(250);
      }
    }

    test('persist writes the rules, the restore script, the unit and its docker.service drop-in, and systemd enables and loads them', async () => {
      await measure(lab!, 'persistence', machine, { case: `systemd host, iptables-${variant}` }, async (f) => {
        const blocked = await df(['block', machine.name, '--allow', '8080']);
        assert.equal(blocked.code, 0, blocked.stderr);
        const persisted = await df(['persist', machine.name]);
        assert.equal(persisted.code, 0, persisted.stderr);
        assert.match(persisted.commands.find((c) => c.includes(UNIT_PATH)) ?? '', /systemctl enable docker-firewall\.service/);

        const unit = await sh(`cat ${UNIT_PATH}`);
        for (const line of ['DefaultDependencies=no', 'Before=docker.service network-pre.target', 'Type=oneshot', 'RemainAfterExit=yes', `ExecStart=${RESTORE_SCRIPT}`, 'WantedBy=multi-user.target']) {
          assert.ok(unit.split('\n').includes(line), `${UNIT_PATH} lacks "${line}":\n${unit}`);
        }
        assert.ok((await sh(`cat ${DOCKER_DROP_IN}`)).split('\n').includes(`ExecStartPost=${RESTORE_SCRIPT}`), DOCKER_DROP_IN);
        // systemd itself: the unit enabled, the drop-in part of docker.service, both parsed.
        f.unitEnabled = (await sh('systemctl is-enabled docker-firewall.service')).trim();
        f.dropInLoaded = (await sh('systemctl show -p DropInPaths docker.service')).includes(DOCKER_DROP_IN);
        f.orderedBefore = (await sh('systemctl show -p Before docker-firewall.service')).includes('docker.service');
        assert.equal(f.unitEnabled, 'enabled');
        assert.equal(f.dropInLoaded, true, 'systemd did not load the drop-in');
        assert.equal(f.orderedBefore, true, 'systemd does not order the unit before docker.service');

        // The saved rules are our chains as they are in force, in the host's own variant.
        const save = await sh(`${variant === 'legacy' ? 'iptables-legacy-save' : 'iptables-nft-save'} -t filter`);
        const ours = (text: string) => text.split('\n').filter((l) => /^-A PRE_DOCKER /.test(l)).map((l) => l.replace(/^\[\d+:\d+\] /, ''));
        const saved = await sh(`cat ${PERSIST_DIR}/rules.v4`);
        f.savedRules = ours(saved).length;
        assert.deepEqual(ours(saved), ours(save), `${PERSIST_DIR}/rules.v4 differs from the chain in force`);
        assert.ok(f.savedRules > 0);
        const now = await status();
        assert.equal(now.persistence.state, 'current');
        assert.deepEqual(now.warnings.map((w) => w.code), []);

        // Files saved from an earlier policy (an allow since, not saved): persistence-outdated, until persist again.
        const earlier = await sh(`cat ${PERSIST_DIR}/state; echo; cat ${PERSIST_DIR}/rules.v4 | base64 -w0; echo; cat ${PERSIST_DIR}/rules.v6 | base64 -w0`);
        assert.equal((await df(['allow', machine.name, '8081', '--from', `${lab!.outside.ipv4}/32`])).code, 0);
        const [state, v4, v6] = earlier.trim().split('\n').filter((l) => l !== '');
        await sh(`printf '%s\\n' '${state!}' > ${PERSIST_DIR}/state && echo ${v4!} | base64 -d > ${PERSIST_DIR}/rules.v4 && echo ${v6!} | base64 -d > ${PERSIST_DIR}/rules.v6`);
        const outdated = await status();
        f.outdatedWarning = outdated.warnings.map((w) => w.code).join(' ') || 'none';
        assert.equal(outdated.persistence.state, 'outdated');
        assert.ok(outdated.warnings.some((w) => w.code === 'persistence-outdated' && /differs from the rules in force/.test(w.message)), JSON.stringify(outdated.warnings));
        assert.equal((await df(['persist', machine.name])).code, 0);
        assert.equal((await status()).persistence.state, 'current');
        assert.equal((await df(['deny', machine.name, '8081', '--from', `${lab!.outside.ipv4}/32`])).code, 0);
        const back = await status();
        assert.equal(back.persistence.state, 'current', 'a change on a persistent host is saved too');
        assert.deepEqual(back.allows, [{ port: 8080, proto: 'tcp', from: null }]);
      });
    });

    test('a real reboot: the restore unit runs before docker.service, the drop-in after, and the blocked port never answers meanwhile', { todo: known?.reboot ?? false }, async () => {
      await measure(lab!, 'reboot', machine, { case: `real boot (systemd-nspawn), iptables-${variant}` }, async (f) => {
        const bootsBefore = machine.boots;
        const askedAt = Date.now();
        const rebooted = machine.reboot();
        // From the moment the reboot is asked for until the host is up and its containers answer, and 3 s more.
        const upAgain = rebooted.then(async () => assert.equal(await waitOpen(machine, 8080), 'open', '8080 does not answer after the reboot'));
        const watch = await watchBlocked(out(), machine, WATCHED_8081, upAgain, 3000);
        f.rebootMs = await rebooted;
        await upAgain;
        f.boots = machine.boots - bootsBefore;
        Object.assign(f, { probes: watch.probes, blockedBesideControl: watch.blockedBesideControl, openedWhileBlocked: watch.opened.reduce((n, o) => n + o.count, 0) });
        // When, after the reboot was asked for, the blocked port answered, beside when systemd ran each
        // unit of this boot: which step of the boot a window belongs to.
        for (const port of watch.perPort) {
          if (port.firstOpenedAt !== null && port.lastOpenedAt !== null) f[`${port.probe} openedMs`] = `${port.firstOpenedAt - askedAt}–${port.lastOpenedAt - askedAt}`;
        }
        const startedAt = async (unit: string, prop: string) => {
          const value = (await machine.ssh(`systemctl show --timestamp=us+utc -p ${prop} --value ${unit}`)).stdout.trim();
          const at = Date.parse(value.replace(/^\w+ /, '').replace(' UTC', 'Z').replace(' ', 'T'));
          return Number.isNaN(at) ? 'never' : at - askedAt;
        };
        for (const [unit, prop] of [['docker-firewall.service', 'ActiveEnterTimestamp'], ['containerd.service', 'ActiveEnterTimestamp'], ['docker.service', 'ExecMainStartTimestamp'], ['docker.service', 'ActiveEnterTimestamp'], ['docker-firewall-watch.service', 'ActiveEnterTimestamp']] as const) {
          f[`${unit} ${prop}Ms`] = await startedAt(unit, prop);
        }
        assert.equal(f.boots, 1, 'the machine booted again');
        // The restore unit's own words, when the port answered: how the restore failed (it was /tmp).
        const journal = watch.opened.length === 0 ? '' : (await machine.ssh('journalctl -b --no-pager -u docker-firewall.service | tail -n 6')).stdout.trim();
        assert.deepEqual(watch.opened, [], `the blocked port answered during the reboot (${watch.probes} probes); the restore unit:\n${journal}`);
        for (const port of watch.perPort) assertEvidence(port, `${port.probe} during the reboot`);

        // The order systemd ran things in this boot.
        const show = async (unit: string, props: string[]) =>
          Object.fromEntries((await sh(`systemctl show ${props.map((p) => `-p ${p}`).join(' ')} ${unit}`)).trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
        const restore = await show('docker-firewall.service', ['ActiveState', 'Result', 'ExecMainStatus', 'ActiveEnterTimestampMonotonic']);
        const docker = await show('docker.service', ['ActiveState', 'ExecMainStartTimestampMonotonic']);
        f.restoreUnit = `${restore.ActiveState}, ${restore.Result}, exit ${restore.ExecMainStatus}`;
        f.restoreBeforeDockerdMs = (Number(docker.ExecMainStartTimestampMonotonic) - Number(restore.ActiveEnterTimestampMonotonic)) / 1000;
        assert.equal(restore.ActiveState, 'active');
        assert.equal(restore.ExecMainStatus, '0');
        assert.ok(Number(restore.ActiveEnterTimestampMonotonic) > 0 && f.restoreBeforeDockerdMs >= 0, `dockerd started before the restore unit was done: ${JSON.stringify({ restore, docker })}`);
        const postResult = await sh('systemctl show -p ExecStartPost docker.service');
        f.dropInRan = new RegExp(`path=${RESTORE_SCRIPT} .*code=exited ; status=0(/| |$)`).test(postResult);
        assert.equal(f.dropInRan, true, `the drop-in's ExecStartPost did not run to success: ${postResult}`);

        assert.deepEqual(await reachability(out(), machine, ALLOWED_8080), expectedOf(ALLOWED_8080));
        const after = await status();
        const problems = after.warnings.map((w) => w.code);
        f.statusAfter = `${after.locked ? 'locked' : 'open'}; allows ${after.allows.map((a) => `${a.proto}/${a.port}`).join(' ') || 'none'}; persistence ${after.persistence.state}; ${problems.join(' ') || 'no warning'}`;
        assert.equal(after.locked, true);
        assert.deepEqual(after.allows, [{ port: 8080, proto: 'tcp', from: null }]);
        assert.equal(after.persistence.state, 'current');
        assert.deepEqual(problems, []);
        assert.equal(after.hooks.ipv4[0]?.position, 1);
      });
    });

    // The warnings of a confusing host, made for real on this machine (its own disk and tables).
    if (variant === 'nft') {
      test('Docker chains in both variants warn two-variants; ip6tables that cannot be read warns ipv6-unreadable, and only IPv4 is planned', async () => {
        await measure(lab!, 'host-warnings', machine, { case: 'two variants, then no ip6tables-nft-save' }, async (f) => {
          const codes = async () => (await status()).warnings.map((w) => w.code);
          // Docker chains left in iptables-legacy by an earlier dockerd, beside the nf_tables ones in use.
          await sh('iptables-legacy -w -N DOCKER && iptables-legacy -w -N DOCKER-USER');
          const both = await status();
          const two = both.warnings.find((w) => w.code === 'two-variants');
          f.twoVariants = two?.message ?? 'none';
          assert.ok(two !== undefined && /iptables-nft and iptables-legacy/.test(two.message), JSON.stringify(both.warnings));
          assert.equal(both.locked, true, 'the lockdown still reads from the variant Docker uses');
          await sh('iptables-legacy -w -X DOCKER-USER && iptables-legacy -w -X DOCKER');
          f.twoVariantsAfterCleanup = (await codes()).includes('two-variants');
          assert.equal(f.twoVariantsAfterCleanup, false);

          // ip6tables-nft-save gone (a host without the IPv6 tools): IPv6 cannot be read.
          await sh('mv /usr/sbin/ip6tables-nft-save /usr/sbin/ip6tables-nft-save.away');
          try {
            const blind = await status();
            const unreadable = blind.warnings.find((w) => w.code === 'ipv6-unreadable');
            f.ipv6Unreadable = unreadable?.message ?? 'none';
            assert.ok(unreadable !== undefined && /^IPv6 is not covered: /.test(unreadable.message), JSON.stringify(blind.warnings));
            assert.equal(blind.locked, true);
            const dry = await df(['allow', machine.name, '9999', '--dry-run']);
            assert.equal(dry.code, 0, dry.stderr);
            f.plannedFamilies = [/^iptables-restore --noflush payload:/m.test(dry.stdout) && 'IPv4', /^ip6tables-restore --noflush payload:/m.test(dry.stdout) && 'IPv6'].filter(Boolean).join(' ') || 'none';
            assert.equal(f.plannedFamilies, 'IPv4', `a change planned for an IPv6 it cannot read, or none at all:\n${dry.stdout}`);
          } finally {
            await sh('mv /usr/sbin/ip6tables-nft-save.away /usr/sbin/ip6tables-nft-save');
          }
          f.ipv6UnreadableAfter = (await codes()).includes('ipv6-unreadable');
          assert.equal(f.ipv6UnreadableAfter, false);
        });
      });
    }

    test('unblock removes the unit, the drop-in and the saved rules, and the next boot brings no lockdown back', { todo: known?.unblock ?? false }, async () => {
      assert.equal((await df(['unblock', machine.name])).code, 0);
      const left = await sh(`ls -A ${PERSIST_DIR} 2>/dev/null; ls ${UNIT_PATH} ${DOCKER_DROP_IN} ${RESTORE_SCRIPT} 2>/dev/null; true`);
      assert.equal(left.trim(), '', `unblock left: ${left}`);
      await machine.reboot();
      assert.equal(await waitOpen(machine, 8081), 'open', '8081 does not answer after a reboot without lockdown');
      assert.doesNotMatch(await sh('iptables-save; ip6tables-save'), /PRE_DOCKER/);
      assert.equal(await probeBlocked(out(), machine, { port: 8080, family: 'ipv6' }), 'open');
    });
  });
}
