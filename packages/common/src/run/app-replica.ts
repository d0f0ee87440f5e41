// The replica factory of every app (trainer_type accelerate): a worker thread rebuilds the AppDefinition from its
// `factory`, then the experiment from the run's config, exactly as trainRun does on rank 0 (seed, then setup), and
// trains it with the app's optimizer, schedule and precision. Rank 0 keeps the run's callbacks, loggers and
// checkpoints; a worker gets none of the app's callbacks.
import * as path from 'node:path';
import {
  createOptimizer,
  createSchedule,
  seedEverything,
  type Replica,
  type ReplicaContext,
  type ReplicaFactoryRef,
} from '../training';
import type { AppDefinition } from './app';

export interface AppReplicaArgs {
  app: ReplicaFactoryRef;
  config: object;
}

/** The ReplicaFactoryRef of an app's run: this module's appReplica with the app's factory and the composed config. */
export function appReplicaRef(app: ReplicaFactoryRef, config: object): ReplicaFactoryRef {
  // A plain copy: the composed config may carry provenance that does not cross threads.
  const args: AppReplicaArgs = { app, config: JSON.parse(JSON.stringify(config)) as object };
  return { module: path.join(__dirname, `app-replica${path.extname(__filename)}`), export: 'appReplica', args };
}

export async function appReplica(args: unknown, ctx: ReplicaContext): Promise<Replica> {
  const { app: ref, config } = args as AppReplicaArgs;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const make = require(ref.module)[ref.export] as ((a: unknown) => AppDefinition<object>) | undefined;
  if (typeof make !== 'function') throw new Error(`app factory: ${ref.module} exports no function '${ref.export}'`);
  const app = make(ref.args);
  const settings = app.trainer(config);
  seedEverything(settings.seed);
  const experiment = await app.setup(config, { stage: 'fit', log: () => undefined });
  if (!experiment.train) throw new Error(`${app.project}: setup returned no training data`);
  // A source that can decode only this rank's rows of each global batch does (rank 0 keeps whole batches).
  const shard = experiment.train.shard?.(ctx.rank, ctx.worldSize);
  return {
    module: experiment.module,
    train: shard ?? experiment.train,
    shardedTrain: shard !== undefined,
    trainer: {
      maxEpochs: settings.epochs,
      optimizer: createOptimizer(settings.optimizer),
      schedule: createSchedule(settings.schedule ?? { name: 'constant' }),
      gradClipNorm: settings.gradClipNorm,
      accumulateGradBatches: settings.accumulateGradBatches,
      seed: settings.seed,
      precision: experiment.precision,
    },
    dispose: () => experiment.dispose?.(),
  };
}
