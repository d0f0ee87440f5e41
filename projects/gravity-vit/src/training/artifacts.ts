// End-of-run files from a test pass: confusion_matrix.png, classification_report.txt, test_scores.json and, for the
// multi-view model, view_attention.png (classes x windows: the attention each class's query puts on each window,
// averaged over that class's test samples) with its numbers in view_attention.json.
import * as path from 'node:path';
import { plotConfusionMatrix, plotHeatmap, savePlot, writeFileAtomic } from '@research/common';
import type { PredictionStore } from './predictions';

export interface EvaluationArtifacts {
  files: string[];
  scores: ReturnType<PredictionStore['scores']>;
}

export function writeEvaluationArtifacts(
  store: PredictionStore,
  dir: string,
  classNames: readonly string[],
  viewNames: readonly string[],
): EvaluationArtifacts {
  const scores = store.scores();
  const files: string[] = [];
  const present = [...new Set(store.labels)].sort((a, b) => a - b);
  const confusion = store.confusion();
  files.push(
    ...savePlot(
      plotConfusionMatrix(confusion, [...classNames], { title: 'Test confusion matrix' }),
      path.join(dir, 'confusion_matrix.png'),
    ),
  );
  const reportFile = path.join(dir, 'classification_report.txt');
  writeFileAtomic(reportFile, store.report(classNames) + '\n');
  files.push(reportFile);
  const scoresFile = path.join(dir, 'test_scores.json');
  writeFileAtomic(
    scoresFile,
    JSON.stringify({ ...scores, samples: store.size, confusion_matrix: confusion }, null, 1) + '\n',
  );
  files.push(scoresFile);
  if (store.numViews > 0) {
    const attention = store.viewAttention();
    const rows = present.filter((c) => attention[c] !== null);
    const matrix = rows.map((c) => attention[c] as number[]);
    const json = path.join(dir, 'view_attention.json');
    writeFileAtomic(
      json,
      JSON.stringify(
        { views: viewNames, classes: Object.fromEntries(rows.map((c, i) => [classNames[c], matrix[i]])) },
        null,
        1,
      ) + '\n',
    );
    files.push(json);
    if (matrix.length > 0) {
      const plot = plotHeatmap(
        matrix,
        rows.map((c) => classNames[c]),
        [...viewNames],
        {
          title: 'View attention per class (test)',
          xLabel: 'time window',
          yLabel: 'class',
          range: [0, 1],
        },
      );
      files.push(...savePlot(plot, path.join(dir, 'view_attention.png')));
    }
  }
  return { files, scores };
}
