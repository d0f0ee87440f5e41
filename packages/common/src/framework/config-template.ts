// Renders a framework config as a documented YAML file: every key carries its schema `doc` as a comment, sections
// are introduced by a line saying what they configure.
import YAML, { isMap, isScalar, isSeq, type Node } from 'yaml';
import { asLeaf, isBranch, type ConfigSchema } from '../config/schema';
import type { ConfigTree } from '../config/tree';
import { frameworkSchema, type FrameworkConfig } from './config-schema';

const SECTION_NOTES: Record<string, string> = {
  data: ' data: the image folder (raw/<class>/<image>, splits/ from `tools split`), image size and normalisation',
  model: ' model: an architecture of the registry; base = torchvision-equivalent, custom = simple_cnn, tiny_net, ...',
  training: ' training: trainer, epochs, early stopping, which checkpoint is "best", where runs go',
  optimizer: " optimizer: sgd, adam or adamw, with PyTorch's update rules",
  scheduler: ' scheduler: per-epoch LR schedule: none, step, multistep, exponential or cosine',
  augmentation:
    " augmentation: training transforms (torchvision's RandomResizedCrop, flip, ColorJitter); evaluation only resizes",
  search: ' search: hyper-parameter search (Optuna-style); search_space maps config keys to distributions',
};

function annotate(doc: YAML.Document, schema: ConfigSchema<ConfigTree>, at: string[]): void {
  for (const [key, node] of Object.entries(schema)) {
    const path = [...at, key];
    const yamlNode = doc.getIn(path, true) as Node | undefined;
    if (isBranch(node)) {
      annotate(doc, node, path);
      continue;
    }
    if (isSeq(yamlNode) && yamlNode.items.every(isScalar)) yamlNode.flow = true;
    const note = asLeaf(node).doc;
    if (note && (isScalar(yamlNode) || isSeq(yamlNode))) yamlNode.comment = ` ${note}`;
  }
}

/** Writes each distribution of a search space on one line: `lr: { type: loguniform, low: 1e-05, high: 0.1 }`. */
function flowDistributions(map: YAML.YAMLMap): void {
  for (const item of map.items) {
    if (!isMap(item.value)) continue;
    if (item.value.has('type') && isScalar(item.value.get('type', true))) item.value.flow = true;
    else flowDistributions(item.value);
  }
}

/** The YAML text of `config`, documented; `header` lines become the file's leading comment. */
export function renderFrameworkConfig(config: FrameworkConfig, header: readonly string[] = []): string {
  const doc = new YAML.Document(config);
  annotate(doc, frameworkSchema as ConfigSchema<ConfigTree>, []);
  if (isMap(doc.contents)) {
    doc.contents.items.forEach((pair, i) => {
      const key = String((pair.key as YAML.Scalar).value);
      if (SECTION_NOTES[key] && isScalar(pair.key)) {
        pair.key.commentBefore = SECTION_NOTES[key];
        pair.key.spaceBefore = i > 0;
      }
      if (key === 'search' && isMap(pair.value)) {
        const space = pair.value.get('search_space', true);
        if (isMap(space)) flowDistributions(space);
      }
    });
  }
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n') || null;
  return doc.toString({ lineWidth: 0 });
}
