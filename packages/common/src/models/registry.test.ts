import * as tf from '@tensorflow/tfjs';
import { createModel, describeModel, listModelAliases, listModels, registerModel, registerModelAlias } from './index';

describe('model registry', () => {
  it('lists the reference models and builds them by name', () => {
    expect(listModels()).toEqual(expect.arrayContaining(['reference-cnn', 'vit-tiny']));
    expect(describeModel('vit-tiny')).toContain('patch 7');
    const model = createModel('reference-cnn', { numClasses: 5 });
    expect(model.outputs[0].shape).toEqual([null, 5]);
    model.dispose();
  });

  it('passes options to the factory and refuses duplicates and unknown names', () => {
    const seen: unknown[] = [];
    registerModel('test-tiny-dense', (options) => {
      seen.push(options);
      const input = tf.input({ shape: [3] });
      return tf.model({
        inputs: input,
        outputs: tf.layers.dense({ units: options.numClasses ?? 2 }).apply(input) as tf.SymbolicTensor,
      });
    });
    const model = createModel('test-tiny-dense', { numClasses: 4, extra: 'x' });
    expect(seen).toEqual([{ numClasses: 4, extra: 'x' }]);
    expect(model.countParams()).toBe(3 * 4 + 4);
    model.dispose();
    expect(() => registerModel('test-tiny-dense', () => model)).toThrow(
      "a model named 'test-tiny-dense' is already registered",
    );
    expect(() => registerModel('Bad Name', () => model)).toThrow("invalid model name 'Bad Name'");
    expect(() => createModel('resnet-9000')).toThrow(
      /unknown model 'resnet-9000'; registered models: .*reference-cnn.*vit-tiny/,
    );
  });

  it('builds an alias as its target, lists it apart and refuses clashes and unknown targets', () => {
    registerModelAlias('test-tiny-cnn-alias', 'reference-cnn');
    expect(listModels()).not.toContain('test-tiny-cnn-alias');
    expect(listModelAliases()).toContainEqual(['test-tiny-cnn-alias', 'reference-cnn']);
    expect(describeModel('test-tiny-cnn-alias')).toBe(describeModel('reference-cnn'));
    const model = createModel('test-tiny-cnn-alias', { numClasses: 3 });
    expect(model.outputs[0].shape).toEqual([null, 3]);
    model.dispose();
    expect(() => registerModelAlias('test-tiny-cnn-alias', 'vit-tiny')).toThrow(
      "a model named 'test-tiny-cnn-alias' is already registered",
    );
    expect(() => registerModel('test-tiny-cnn-alias', () => model)).toThrow('already registered');
    expect(() => registerModelAlias('test-x', 'no-such-model')).toThrow("'test-x' names unknown model 'no-such-model'");
  });
});
