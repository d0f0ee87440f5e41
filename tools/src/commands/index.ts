import type { Command } from 'commander';

/** A command module adds its subcommand(s) to the program. */
export type RegisterCommand = (program: Command) => void;

// One line per command module.
export const commands: RegisterCommand[] = [];
