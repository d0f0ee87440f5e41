import { parquetConfigSplit, selectDatasetFiles } from './hub-files';

describe('parquetConfigSplit', () => {
  it('reads the three parquet layouts of the Hub', () => {
    expect(parquetConfigSplit('fashion_mnist/train-00000-of-00001.parquet')).toEqual({
      config: 'fashion_mnist',
      split: 'train',
    });
    expect(parquetConfigSplit('data/test-00000-of-00002.parquet')).toEqual({ config: 'data', split: 'test' });
    expect(parquetConfigSplit('plain_text/validation/0000.parquet')).toEqual({
      config: 'plain_text',
      split: 'validation',
    });
    expect(parquetConfigSplit('train.parquet')).toEqual({ config: undefined, split: 'train' });
  });
});

describe('selectDatasetFiles', () => {
  const files = [
    'README.md',
    '.gitattributes',
    'mnist/train-00000-of-00001.parquet',
    'mnist/test-00000-of-00001.parquet',
    'extra/train-00000-of-00002.parquet',
    'extra/train-00001-of-00002.parquet',
  ];

  it('keeps everything without config or split', () => {
    expect(selectDatasetFiles(files, {}, 'x')).toEqual(files);
  });

  it('selects by config and split, adding the dataset card', () => {
    expect(selectDatasetFiles(files, { config: 'extra', split: 'train' }, 'x')).toEqual([
      'README.md',
      'extra/train-00000-of-00002.parquet',
      'extra/train-00001-of-00002.parquet',
    ]);
    expect(selectDatasetFiles(files, { config: 'mnist' }, 'x')).toEqual([
      'README.md',
      'mnist/train-00000-of-00001.parquet',
      'mnist/test-00000-of-00001.parquet',
    ]);
    expect(selectDatasetFiles(files, { split: 'test' }, 'x')).toEqual([
      'README.md',
      'mnist/test-00000-of-00001.parquet',
    ]);
  });

  it('maps config "default" to the data/ folder', () => {
    expect(
      selectDatasetFiles(['data/train-0.parquet', 'data/test-0.parquet'], { config: 'default', split: 'test' }, 'x'),
    ).toEqual(['data/test-0.parquet']);
  });

  it('refuses an ambiguous split and lists what exists when nothing matches', () => {
    expect(() => selectDatasetFiles(files, { split: 'train' }, 'x')).toThrow(
      'split "train" of dataset "x" exists in several configs (mnist, extra): choose one with --config',
    );
    expect(() => selectDatasetFiles(files, { config: 'mnist', split: 'validation' }, 'x')).toThrow(
      'dataset "x" has no parquet files for config "mnist" split "validation"; available (config/split): extra/train, mnist/test, mnist/train',
    );
  });
});
