// What an app gives the run layer: its config, how the Trainer is set up from it, and its data and module.
import type { BackendPreference } from '../backend';
import type { ConfigSchema, GroupChoices } from '../config';
import type { Batch, BatchSource } from '../data';
import type * as tf from '@tensorflow/tfjs';
import type {
  Callback,
  EpochRecord,
  GradientStrategy,
  OptimizerSpec,
  PrecisionPlugin,
  ReplicaFactoryRef,
  ScheduleSpec,
  TrainModule,
} from '../training';

/** How the one Trainer is configured for a run (read from the app's config by `AppDefinition.trainer`). */
export interface TrainerSettings {
  epochs: number;
  seed: number;
  backend: BackendPreference;
  optimizer: OptimizerSpec;
  schedule?: ScheduleSpec;
  gradClipNorm?: number;
  accumulateGradBatches?: number;
  logEveryNSteps?: number;
  /** The epoch metric that selects `best.safetensors`. */
  checkpoint: { monitor: string; mode: 'min' | 'max' };
  earlyStopping?: { monitor: string; mode: 'min' | 'max'; patience: number; minDelta?: number };
  /** Which metrics the epoch progress line prints (metrics.json and TensorBoard keep all). */
  progressMetrics?: (name: string) => boolean;
}

/** Setup builds; it writes nothing (artefacts go through callbacks, which see `trainer.runDir`, or `afterTest`). */
export interface SetupContext {
  /** 'fit' builds train/val/test; 'evaluate' may leave `train` and `val` out. */
  stage: 'fit' | 'evaluate';
  log: (line: string) => void;
  /**
   * How a data-parallel worker rebuilds this experiment (from the app's `factory` and this config): pass it to
   * trainingPluginsFromConfig for trainer_type accelerate. Absent when the app has no factory, and in the workers.
   */
  replica?: ReplicaFactoryRef;
}

/** A classifier's view of the module: the run layer writes the confusion matrix and the classification report. */
export interface ClassifierOutputs {
  /** Logits or probabilities [batch, classes] for a batch (called inside tf.tidy). */
  predict(batch: Batch): tf.Tensor;
  /** The batch key holding integer labels. Default 'y'. */
  targetKey?: string;
  classNames?: readonly string[];
  /**
   * The same logits as one tfjs graph, input -> logits, sharing the module's weights: what the `export` command writes
   * as ONNX. An app without it cannot export.
   */
  model?: tf.LayersModel;
  /** The batch key holding the model's input. Default 'x'. */
  inputKey?: string;
}

export interface AfterTestContext {
  /** Where artefacts go: the run folder after training, `<run>/evaluation_<checkpoint>/` for `evaluate`. */
  outDir: string;
  stage: 'fit' | 'evaluate';
  /** The test metrics of the best weights (`test_*`). */
  metrics: Record<string, number>;
  /** The fit's epoch records (from the checkpoint when evaluating) and the epoch whose weights were tested. */
  history: readonly EpochRecord[];
  bestEpoch: number | null;
  log: (line: string) => void;
}

/** What `AppDefinition.setup` returns: the module and its data, and what the app adds to the standard run. */
export interface Experiment {
  module: TrainModule;
  train?: BatchSource;
  val?: BatchSource;
  test: BatchSource;
  /** Where the data came from ("Fashion-MNIST full, 55000 train / 5000 val / 10000 test"): recorded, and compared at evaluation. */
  data: string;
  /** Images (examples) one training epoch processes, for the img/s figure. Default: train.size. */
  trainExamplesPerEpoch?: number;
  /** The model's parameter count as PyTorch counts it (`countTorchParameters`: BatchNorm running statistics excluded). */
  parameters?: number;
  callbacks?: Callback[];
  /** The trainer type's plugins (`trainingPluginsFromConfig`): DP-SGD or mixed precision; default standard float32. */
  strategy?: GradientStrategy;
  precision?: PrecisionPlugin;
  classifier?: ClassifierOutputs;
  /** Figures and artefacts after the best weights were tested (kNN accuracy, t-SNE, ...): merged into the results. */
  afterTest?(ctx: AfterTestContext): Promise<Record<string, unknown>> | Record<string, unknown>;
  dispose?(): void;
}

/** An app: a paper, a project or a framework command (Hydra's `@hydra.main` + LightningCLI's roles). */
export interface AppDefinition<C extends object> {
  /** Folder under assets/outputs and the name in messages (`triplet-vae`, `hrnet`). */
  project: string;
  description: string;
  /** Folder of the root configs and of one folder per config group. */
  configDir: string;
  /** Root config when --config is not given. */
  defaultConfig: string;
  /**
   * Root configs a user may name (default: the .yaml files of configDir); `resolve` maps an alias to a config name in
   * configDir, or to an absolute path of a config file elsewhere.
   */
  configs?: { list(): string[]; resolve(name: string): string };
  schema: ConfigSchema<C> | ((choices: GroupChoices) => ConfigSchema<C>);
  /** Config keys behind the standard options and the run folder's name (not needed with `runFolder`). */
  keys: { epochs: string; seed: string; experimentName?: string };
  /**
   * Where a new run goes when the app names its runs itself (the framework: `<runs>/<dataset>_<overrides>_fold_<k>`):
   * the parent folder (`--output-dir` replaces it) and the name, also the run's experiment name. The folder is created
   * exclusively: a taken name gets `_1`, `_2`, ... Default: `<outputs>/<project>/<experiment>/<timestamp>`.
   */
  runFolder?(config: C, overrides: readonly string[]): { parent: string; name: string };
  trainer(config: C): TrainerSettings;
  /** The overrides that rebuild the model and its data for another input size (`export --input_size H W`). */
  inputSizeOverrides?(config: C, size: readonly [number, number]): string[];
  /**
   * A module file exporting a function that returns this AppDefinition from `args` (structured-cloneable): what a
   * trainer_type accelerate worker thread calls to rebuild the app, then `setup(config)` (see run/app-replica.ts).
   */
  factory?: ReplicaFactoryRef;
  setup(config: C, ctx: SetupContext): Promise<Experiment> | Experiment;
}
