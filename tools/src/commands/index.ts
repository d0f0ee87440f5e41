import type { Command } from 'commander';
import { register as assets } from './assets';
import { register as exportOnnx } from './export';
import { register as hub } from './hub';
import { register as imageFolder } from './image-folder';
import { register as inference } from './inference';
import { register as initConfig } from './init-config';
import { register as lrFinder } from './lr-finder';
import { register as models } from './models';
import { register as newPaper } from './new-paper';
import { register as split } from './split';
import { register as privacy } from './privacy';
import { register as search } from './search';
import { register as tda } from './tda';
import { register as train } from './train';
import { register as testEnv } from './test-env';
import { register as visualise } from './visualise';

/** A command module adds its subcommand(s) to the program. */
export type RegisterCommand = (program: Command) => void;

// One line per command module.
export const commands: RegisterCommand[] = [
  hub,
  assets,
  testEnv,
  newPaper,
  tda,
  visualise,
  imageFolder,
  split,
  initConfig,
  lrFinder,
  train,
  search,
  inference,
  privacy,
  models,
  exportOnnx,
];
