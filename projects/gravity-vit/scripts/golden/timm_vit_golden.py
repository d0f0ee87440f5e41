#!/usr/bin/python3
"""Golden values for the timm-layout ViT: timm's VisionTransformer written by hand in PyTorch (timm is not
installable here) with timm's module names, so its state_dict has timm's keys (cls_token, pos_embed,
patch_embed.proj, blocks.N.norm1, blocks.N.attn.qkv, blocks.N.attn.proj, blocks.N.norm2, blocks.N.mlp.fc1/fc2, norm,
head). LayerNorm eps 1e-6, exact (erf) GELU, class-token pooling, as timm's defaults for vit_*_patch16_*.

Writes next to this script:
  timm_vit_small.safetensors  the weights (dim 32, depth 2, heads 4, MLP 64, patch 16, 3 channels, 48x64, 22 classes)
  timm_vit_golden.json        logits for a fixed input at 48x64 (the trained grid 3x4) and at 64x80 (grid 4x5, the
                              positional embedding resampled bicubically as timm.layers.resample_abs_pos_embed), the
                              resampled embedding itself, and a standalone bicubic case (3x4 -> 7x5, shrinking too)

The input is computed, not stored: x[b, c, h, w] = sin(0.1 (h + 1)(c + 1) + 0.07 w + b) (tests recompute it).
Run: /usr/bin/python3 projects/gravity-vit/scripts/golden/timm_vit_golden.py (Debian's python3-torch).
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DIM, DEPTH, HEADS, MLP, PATCH, CHANS, CLASSES = 32, 2, 4, 64, 16, 3, 22
IMG = (48, 64)


class PatchEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Conv2d(CHANS, DIM, PATCH, PATCH)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # [B, N, D], row-major patches


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(DIM, 3 * DIM)
        self.proj = nn.Linear(DIM, DIM)

    def forward(self, x):
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, HEADS, d // HEADS).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q * (d // HEADS) ** -0.5) @ k.transpose(-2, -1)
        x = attn.softmax(dim=-1) @ v
        return self.proj(x.transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(DIM, MLP)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(MLP, DIM)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(DIM, eps=1e-6)
        self.attn = Attention()
        self.norm2 = nn.LayerNorm(DIM, eps=1e-6)
        self.mlp = Mlp()

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed()
        grid = (IMG[0] // PATCH) * (IMG[1] // PATCH)
        self.cls_token = nn.Parameter(torch.randn(1, 1, DIM) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, grid + 1, DIM) * 0.02)
        self.blocks = nn.Sequential(*[Block() for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(DIM, eps=1e-6)
        self.head = nn.Linear(DIM, CLASSES)

    def forward(self, x, pos_embed=None):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)
        x = x + (self.pos_embed if pos_embed is None else pos_embed)
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


def resample_abs_pos_embed(posemb, new_size, old_size, num_prefix_tokens=1):
    """timm.layers.resample_abs_pos_embed (interpolation='bicubic', antialias=False)."""
    prefix, grid = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
    d = posemb.shape[-1]
    grid = grid.reshape(1, old_size[0], old_size[1], d).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=new_size, mode='bicubic', antialias=False, align_corners=False)
    grid = grid.permute(0, 2, 3, 1).reshape(1, -1, d)
    return torch.cat([prefix, grid], dim=1)


def fixed_input(batch, h, w):
    b, c, y, x = torch.meshgrid(torch.arange(batch), torch.arange(CHANS), torch.arange(h), torch.arange(w), indexing='ij')
    return torch.sin(0.1 * (y + 1) * (c + 1) + 0.07 * x + b).float()


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().contiguous().float().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header['__metadata__'] = {'format': 'pt', 'source': 'timm_vit_golden.py'}
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def main():
    torch.manual_seed(0)
    model = VisionTransformer().eval()
    with torch.no_grad():
        # Non-trivial norms and biases, so that a swapped weight would show.
        for name, p in model.named_parameters():
            if name.endswith('bias') or 'norm' in name:
                p.add_(torch.randn_like(p) * 0.1)
        write_safetensors(os.path.join(HERE, 'timm_vit_small.safetensors'), model.state_dict())
        x1 = fixed_input(2, *IMG)
        logits1 = model(x1)
        new_grid, old_grid = (64 // PATCH, 80 // PATCH), (IMG[0] // PATCH, IMG[1] // PATCH)
        pos2 = resample_abs_pos_embed(model.pos_embed, new_grid, old_grid)
        logits2 = model(fixed_input(2, 64, 80), pos_embed=pos2)
        g = torch.Generator().manual_seed(1)
        small = torch.randn(1, 1 + 12, 2, generator=g)
        large = torch.randn(1, 1 + 35, 3, generator=g)
        up = resample_abs_pos_embed(small, (7, 5), (3, 4))
        down = resample_abs_pos_embed(large, (3, 2), (5, 7))
    golden = {
        'generator': 'projects/gravity-vit/scripts/golden/timm_vit_golden.py',
        'torch': torch.__version__,
        'config': {'dim': DIM, 'depth': DEPTH, 'heads': HEADS, 'mlp_dim': MLP, 'patch': PATCH, 'channels': CHANS,
                   'classes': CLASSES, 'img': list(IMG)},
        'input': 'x[b, c, h, w] = sin(0.1 (h + 1)(c + 1) + 0.07 w + b), NCHW',
        'native': {'img': list(IMG), 'logits': logits1.tolist()},
        'resampled': {'img': [64, 80], 'old_grid': list(old_grid), 'new_grid': list(new_grid),
                      'pos_embed': pos2[0].tolist(), 'logits': logits2.tolist()},
        'bicubic_cases': [
            {'old_grid': [3, 4], 'new_grid': [7, 5], 'dim': 2, 'input': small[0].tolist(), 'output': up[0].tolist()},
            {'old_grid': [5, 7], 'new_grid': [3, 2], 'dim': 3, 'input': large[0].tolist(), 'output': down[0].tolist()},
        ],
    }
    with open(os.path.join(HERE, 'timm_vit_golden.json'), 'w') as f:
        json.dump(golden, f)
        f.write('\n')
    print('params', sum(p.numel() for p in model.parameters()), 'logits[0][:3]', logits1[0, :3].tolist(),
          'resampled', logits2[0, :3].tolist())


if __name__ == '__main__':
    main()
