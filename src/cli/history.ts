import type { FirewallEngine } from '../core/hosts/firewallEngine';
import { terminalLines } from '../core/text/hostText';
import type { HistoryInvocation } from './args';
import { formatHistory, historyJson } from './historyFormat';

/** history HOST: the newest changes recorded on the host (one privileged read), newest first. */
export async function runHistory(inv: HistoryInvocation, engine: FirewallEngine, label: string, output: { out(text: string): void }): Promise<void> {
  const log = await engine.history(inv.limit);
  output.out(inv.options.json ? JSON.stringify(historyJson(label, log), null, 2) : terminalLines(formatHistory(label, log)));
}
