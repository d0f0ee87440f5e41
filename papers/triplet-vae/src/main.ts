// `npx nx run triplet-vae:train -- [--config fashionmnist|mnist|cifar10] [--epochs N] [--seed N] [--resume <run>] [key=value ...]`
// `npx nx run triplet-vae:evaluate -- --checkpoint <run or checkpoint> [key=value ...]`; `--help` lists configs, groups and keys.
import { runApp } from '@research/common';
import { tripletVaeApp } from './app';

void runApp(tripletVaeApp);
