// PyTorch's default initialisation of nn.Linear / nn.Conv2d: weights and biases ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn)).
import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.zeros>;

export function torchDefaultInit(fanIn: number): { kernelInitializer: Initializer; biasInitializer: Initializer } {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    // varianceScaling uniform draws from U(-sqrt(3*scale/fanIn), +...): scale 1/3 gives bound 1/sqrt(fanIn).
    kernelInitializer: tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' }),
    biasInitializer: tf.initializers.randomUniform({ minval: -bound, maxval: bound }),
  };
}
