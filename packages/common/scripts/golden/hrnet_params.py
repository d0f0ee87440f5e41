"""Parameter counts of the nine official HRNet-C variants for packages/common/src/models/hrnet/hrnet.test.ts.

Reads each official experiment file of https://github.com/HRNet/HRNet-Image-Classification (`experiments/*.yaml`,
not vendored here), builds the network with the official `lib/models/cls_hrnet.py` (1000 classes, 3x224x224 input)
and records `sum(p.numel() for p in model.parameters())`, the stage tables it was built from (so the test also
checks common's transcription of MODEL.EXTRA), and the logits' shape of one forward pass. Needs PyTorch and PyYAML
(Debian: apt-get install -y python3-torch python3-yaml). Run from the workspace root:

    /usr/bin/python3 packages/common/scripts/golden/hrnet_params.py <repo>/lib/models <repo>/experiments \
        > packages/common/src/models/hrnet/golden/hrnet_params.json
"""
import json
import os
import sys

import torch
import yaml

sys.path.insert(0, sys.argv[1])
import cls_hrnet  # noqa: E402  (the official model file)

VARIANTS = ['w18_small_v1', 'w18_small_v2', 'w18', 'w30', 'w32', 'w40', 'w44', 'w48', 'w64']
STAGE_KEYS = ['NUM_MODULES', 'BLOCK', 'NUM_BLOCKS', 'NUM_CHANNELS', 'FUSE_METHOD']


def stage_table(stage):
    # STAGE1 of the official files spells NUM_BRANCHES as NUM_RANCHES; the network reads only these keys.
    table = {k: stage[k] for k in STAGE_KEYS}
    table['NUM_BRANCHES'] = len(stage['NUM_CHANNELS'])
    return table


def main():
    torch.set_grad_enabled(False)
    out = {'source': 'HRNet-Image-Classification lib/models/cls_hrnet.py, torch ' + torch.__version__, 'variants': {}}
    for variant in VARIANTS:
        file = 'cls_hrnet_%s_sgd_lr5e-2_wd1e-4_bs32_x100.yaml' % variant
        with open(os.path.join(sys.argv[2], file)) as f:
            cfg = yaml.safe_load(f)
        net = cls_hrnet.HighResolutionNet(cfg)
        net.eval()
        logits = net(torch.zeros(1, 3, 224, 224))
        out['variants'][variant] = {
            'file': file,
            'image_size': cfg['MODEL']['IMAGE_SIZE'],
            'parameters': sum(p.numel() for p in net.parameters()),
            'logits_shape': list(logits.shape),
            'extra': {s: stage_table(cfg['MODEL']['EXTRA'][s]) for s in ['STAGE1', 'STAGE2', 'STAGE3', 'STAGE4']},
        }
        print(variant, out['variants'][variant]['parameters'], file=sys.stderr)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
