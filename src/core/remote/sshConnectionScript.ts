/**
 * sh that defines `ssh_connection`: prints the SSH_CONNECTION of the session the script runs in
 * (`CLIENT-ADDRESS CLIENT-PORT SERVER-ADDRESS SERVER-PORT`), or nothing: our own environment's
 * when we have one (no process started), else, since sudo clears the environment, the nearest
 * process above us that has it (sudo itself keeps the login shell's). Shared by the firewall read and the history line of a change.
 */
export const SSH_CONNECTION_FUNCTION = `ssh_connection() {
  if [ -n "\${SSH_CONNECTION:-}" ]; then printf '%s\\n' "$SSH_CONNECTION"; return 0; fi
  p=$$
  while [ "\${p:-0}" -gt 1 ]; do
    v=$(tr '\\000' '\\n' <"/proc/$p/environ" 2>/dev/null | grep -m 1 '^SSH_CONNECTION=')
    if [ -n "$v" ]; then printf '%s\\n' "\${v#SSH_CONNECTION=}"; return 0; fi
    p=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f2)
  done
  return 0
}`;
