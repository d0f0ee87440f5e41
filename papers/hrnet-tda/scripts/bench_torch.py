"""The PyTorch peer of `nx run hrnet:bench`: forward and SGD training-step throughput of the official HRNet.

Builds the network with the official HRNet-Image-Classification `lib/models/cls_hrnet.py` (not vendored here) from one
of our experiment files, adapted as our additions say: MODEL.IN_CHANNELS (first stem conv), MODEL.EXTRA.STEM_STRIDES
(the two stem convs) and MODEL.NUM_CLASSES (the classifier; the official code hard-codes 1000). Times the same steps
as bench.ts: a forward pass in eval mode without gradients, and SGD(lr, momentum, nesterov) steps on
softmax cross-entropy in train mode, on random inputs, after one warm-up call each. Prints one JSON line.

    /usr/bin/python3 papers/hrnet-tda/scripts/bench_torch.py <dir of cls_hrnet.py> <experiment.yaml> \
        --batch 128 --steps 3 --threads 2
"""
import argparse
import json
import sys
import time

import torch
import yaml


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('models_dir')
    parser.add_argument('experiment')
    parser.add_argument('--batch', type=int, required=True)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, args.models_dir)
    import cls_hrnet  # the official model file

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    with open(args.experiment) as f:
        cfg = yaml.safe_load(f)
    model_cfg = cfg['MODEL']
    model = cls_hrnet.HighResolutionNet(cfg)
    in_channels = model_cfg.get('IN_CHANNELS', 3)
    s1, s2 = model_cfg['EXTRA'].get('STEM_STRIDES', [2, 2])
    model.conv1 = torch.nn.Conv2d(in_channels, 64, kernel_size=3, stride=s1, padding=1, bias=False)
    model.conv2.stride = (s2, s2)
    model.classifier = torch.nn.Linear(2048, model_cfg['NUM_CLASSES'])
    width, height = model_cfg['IMAGE_SIZE']
    x = torch.rand(args.batch, in_channels, height, width)
    y = torch.randint(0, model_cfg['NUM_CLASSES'], (args.batch,))
    train = cfg['TRAIN']
    # As bench.ts (tf.train.momentum): no weight decay, so both time the same update.
    optimizer = torch.optim.SGD(model.parameters(), lr=train['LR'], momentum=train['MOMENTUM'], nesterov=train['NESTEROV'])
    loss_fn = torch.nn.CrossEntropyLoss()

    def forward():
        with torch.no_grad():
            model(x)

    def train_step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    def time_it(step):
        step()
        start = time.perf_counter()
        for _ in range(args.steps):
            step()
        return (time.perf_counter() - start) / args.steps

    model.eval()
    forward_s = time_it(forward)
    model.train()
    train_s = time_it(train_step)
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({
        'peer': f'torch {torch.__version__} ({args.threads} threads)', 'params': params,
        'input': [args.batch, height, width, in_channels],
        'forward_ms': round(1000 * forward_s), 'forward_img_per_s': round(args.batch / forward_s, 1),
        'train_step_ms': round(1000 * train_s), 'train_img_per_s': round(args.batch / train_s, 1),
    }))


if __name__ == '__main__':
    main()
