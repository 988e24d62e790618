import { Command } from 'commander';
import { commands } from './commands/index.ts';

const program = new Command('cryptoviz')
  .description('CryptoViz: a Kubernetes-native crypto market pipeline')
  .showHelpAfterError()
  // A mistake in the command line (unknown option, missing value or argument) exits 2, like
  // every other usage error, so scripts can tell it from a failure of the work itself (1).
  // Set before the commands are added, which inherit it.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));
for (const register of commands) register(program);

await program.parseAsync();
