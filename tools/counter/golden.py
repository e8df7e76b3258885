#!/usr/bin/env python3
"""The trained network's logits (torch) on a fixed input, for LearnedCounterTests' golden check
that OpenCV's dnn runs the exported ONNX the same.

  golden.py item-counter.onnx.pt

Crop n's byte i is (7 i + 31 n) mod 251, the empty scanner's (13 i) mod 256, packed RGB 96 x 96.
"""
import sys
import numpy as np
import torch
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from train import network, tensor

S = 96
net = network(); net.load_state_dict(torch.load(sys.argv[1])); net.eval()
i = np.arange(S * S * 3)
empty = ((13 * i) % 256).astype(np.uint8).reshape(S, S, 3)
for n in range(2):
    crop = ((7 * i + 31 * n) % 251).astype(np.uint8).reshape(S, S, 3)
    x = np.concatenate([crop, empty], 2)[None]
    with torch.no_grad():
        print("%.6f" % net(tensor(x)).item())
