import type { Command } from 'commander';
import { register as registerBacktest } from './backtest.ts';
import { register as registerControlPlane } from './control-plane.ts';
import { register as registerMigrate } from './migrate.ts';
import { register as registerController } from './controller.ts';
import { register as registerProvider } from './provider.ts';
import { register as registerUp } from './up.ts';

/** Each command module exports one function that adds its command to the program. */
export const commands: ((program: Command) => void)[] = [
  registerUp,
  registerMigrate,
  registerBacktest,
  registerProvider,
  registerController,
  registerControlPlane,
];
