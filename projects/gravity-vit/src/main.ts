// `npx nx run gravity-vit:train -- [model=vit data.batch_size=64 train.epochs=50 +experiment.name=x ...]` and
// `npx nx run gravity-vit:evaluate -- --checkpoint <run>`: common's run layer; `--help` lists groups and keys.
import { runApp } from '@research/common';
import { gravityVitApp } from './app';

void runApp(gravityVitApp);
