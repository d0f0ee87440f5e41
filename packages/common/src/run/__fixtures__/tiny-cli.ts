// The tiny app's command line for crash tests in a child process (`node -r tsx/cjs tiny-cli.ts train ...`), with
// TensorBoard batch scalars every 2 batches so a kill leaves some past the checkpoint.
import { runApp } from '../cli';
import { tinyApp } from './tiny-app';

void runApp({ ...tinyApp, trainer: (c) => ({ ...tinyApp.trainer(c), logEveryNSteps: 2 }) });
