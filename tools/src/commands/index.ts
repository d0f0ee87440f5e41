import type { Command } from 'commander';
import { register as assets } from './assets';
import { register as exportOnnx } from './export';
import { register as hub } from './hub';
import { register as newPaper } from './new-paper';
import { register as tda } from './tda';
import { register as testEnv } from './test-env';

/** A command module adds its subcommand(s) to the program. */
export type RegisterCommand = (program: Command) => void;

// One line per command module.
export const commands: RegisterCommand[] = [hub, assets, testEnv, newPaper, tda, exportOnnx];
