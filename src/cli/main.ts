// docker-firewall command line: see src/cli/ for the commands.
process.exitCode = 0;
