// A hostile host, for the tests of what host text can do to our UI (issue 10). dockerd refuses such
// names and iptables-save would have to be trojaned to print such rules, so these cannot be recorded
// from the lab: a recorded lockdown (Docker 28) is taken instead, its Engine API answers and its
// iptables-save text carry the hostile strings below, and it goes through the engine's own read
// pipeline (recordedHosts.ts) as any recorded host does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInventory } from '../../src/core/docker/inventory';
import { FIXTURES, recorded, type RecordedHost } from './recordedHosts';

/** Strings a hostile host (or a trojaned sudo, docker or iptables-save) sends. */
export const HOSTILE = {
  /** Clickable in a notification: opens a terminal. */
  commandLink: '[Fix it](command:workbench.action.terminal.new)',
  /** A stderr line that closes a link the message around it opened. */
  stderrLink: 'iptables: Permission denied](command:workbench.action.terminal.new)',
  /** Out of a ``-fenced code span, then an image. */
  twoBackticks: 'net`` ![x](https://evil.example/pixel.png) ``',
  /** Out of a ```-fenced code span, then a link. */
  threeBackticks: '``` [docs](https://evil.example) ```',
  /** A theme icon in a QuickPick label or a tooltip. */
  icon: '$(zap) urgent',
  /** Clears the terminal. */
  clearScreen: '\u001b[2J',
  /** Writes the terminal user's clipboard (OSC 52). */
  osc52: '\u001b]52;c;ZWNobyBwd25lZA==\u0007',
  /** CSI as one C1 character. */
  c1: '\u009b31m',
  /** Right-to-left override: "exe.gnp" reads as "png.exe". */
  rlo: 'report\u202egnp.exe',
  /** A 100 KB name. */
  huge: 'n'.repeat(100_000),
} as const;

/** A control character or bidi override, as none may reach a surface (line breaks apart: ours separate lines). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The hostile container name: a command link, terminal controls and an override in one. */
export const HOSTILE_NAME = `web${HOSTILE.commandLink}${HOSTILE.clearScreen}${HOSTILE.osc52}${HOSTILE.c1}${HOSTILE.rlo}`;
/** A comment that a hostile host put on a rule in our chain. */
export const HOSTILE_COMMENT = `${HOSTILE.osc52}${HOSTILE.twoBackticks}${HOSTILE.commandLink}${HOSTILE.icon}`;

const fixture = (...path: string[]) => readFileSync(join(FIXTURES, ...path), 'utf8');

/**
 * The recorded Docker 28 lockdown, with: container `web` named HOSTILE_NAME, `worker` named
 * HOSTILE.huge, images HOSTILE.threeBackticks and HOSTILE.icon, network `bridge` named
 * HOSTILE.twoBackticks, a status with C1 and an override, and a rule with HOSTILE_COMMENT in PRE_DOCKER.
 */
export function hostileLockedHost(): RecordedHost {
  type Container = { Names: string[]; Image: string; Status?: string; NetworkSettings?: { Networks?: Record<string, unknown> } };
  const containers = JSON.parse(fixture('iptables', 'docker-28', 'locked-containers.json')) as Container[];
  for (const c of containers) {
    if (c.Names[0] === '/web') {
      c.Names = [`/${HOSTILE_NAME}`];
      c.Image = HOSTILE.threeBackticks;
      c.Status = `Up 2 hours ${HOSTILE.c1}${HOSTILE.rlo}`;
    }
    if (c.Names[0] === '/worker') {
      c.Names = [`/${HOSTILE.huge}`];
      c.Image = HOSTILE.icon;
    }
    const networks = c.NetworkSettings?.Networks;
    if (networks?.bridge !== undefined) {
      networks[HOSTILE.twoBackticks] = networks.bridge;
      delete networks.bridge;
    }
  }
  const inventory = buildInventory({
    containers,
    version: JSON.parse(fixture('iptables', 'docker-28', 'locked-version.json')) as unknown,
    info: JSON.parse(fixture('iptables', 'docker-28', 'locked-info.json')) as unknown,
    networks: JSON.parse(fixture('iptables', 'docker-28', 'locked-networks.json')) as unknown,
  });
  const stateMarker = '[0:0] -A PRE_DOCKER -m comment --comment "docker-firewall:v1 state=';
  const report = fixture('iptables', 'docker-28', 'locked-report.txt');
  if (!report.includes(stateMarker)) throw new Error('test/fixtures/iptables/docker-28/locked-report.txt has no state marker in PRE_DOCKER');
  const hostileRule = `[7:420] -A PRE_DOCKER -p tcp -m comment --comment "${HOSTILE_COMMENT}" -j RETURN\n`;
  return recorded('Docker 28, locked, hostile', report.replace(stateMarker, hostileRule + stateMarker), inventory);
}
