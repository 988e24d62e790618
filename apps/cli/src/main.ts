import { Command } from 'commander';
import { commands } from './commands/index.ts';

const program = new Command('cryptoviz')
  .description('CryptoViz: a Kubernetes-native crypto market pipeline')
  .showHelpAfterError();
for (const register of commands) register(program);

await program.parseAsync();
