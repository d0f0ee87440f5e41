import * as tf from '@tensorflow/tfjs';
import { createModel, describeModel, listModels, registerModel } from './index';

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
});
