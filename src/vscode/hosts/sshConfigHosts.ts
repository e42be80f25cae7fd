import { listHostAliases, loadSshConfig } from '../../core/ssh/sshConfig';

/** The concrete Host aliases of the user's ssh config (Include followed), in file order. */
export async function sshConfigAliases(sshConfigPath: string | undefined): Promise<string[]> {
  const { config } = await loadSshConfig({ userConfig: sshConfigPath });
  return listHostAliases(config);
}
