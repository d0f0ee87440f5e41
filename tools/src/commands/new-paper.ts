// `tools new-paper <name>`: a new paper app under papers/<name> (the same generator as `nx g @research/tools:paper`).
import { workspaceRoot } from '@research/common';
import type { Command } from 'commander';
import { writePaper } from '../../generators/paper/generator';

export function register(program: Command): void {
  program
    .command('new-paper')
    .description(
      'create papers/<name>: project.json (train, evaluate), configs, README, src/app.ts + src/main.ts (run layer), data/ link',
    )
    .argument('<name>', 'the paper folder and Nx project name, e.g. my-paper')
    .action((name: string) => {
      const paper = writePaper(workspaceRoot(), name);
      console.log(`created ${paper.dir}:`);
      for (const f of paper.files) console.log(`  ${f}`);
      console.log(`  data -> ${paper.link.target}`);
      console.log(`train it: npx nx run ${name}:train   (then: npx nx run ${name}:evaluate)`);
    });
}
