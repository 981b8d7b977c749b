#!/usr/bin/python3
"""torch.matmul's fp32 and TF32 throughput on the GPU at the shapes GpuBench times for Nabla
(4096^3 and the seed network's matmuls at batch 128): the peer figure beside cuBLAS's.

  python3 benchmarks/pytorch_sgemm.py [--json OUT]

CUDA events after warm-up; the median of 7 timed batches.
"""
import argparse
import json
import os
import statistics

import torch

SHAPES = [(4096, 4096, 4096), (128, 128, 784), (784, 128, 128), (128, 10, 128), (128, 128, 10)]


def time_ms(fn, reps):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    out = []
    for _ in range(7):
        start.record()
        for _ in range(reps):
            fn()
        stop.record()
        stop.synchronize()
        out.append(start.elapsed_time(stop) / reps)
    return statistics.median(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--json")
    a = p.parse_args()
    if not torch.cuda.is_available():
        print("pytorch_sgemm: no CUDA device visible to torch")
        return 3
    result = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__}
    for m, n, k in SHAPES:
        x = torch.rand(m, k, device="cuda") * 2 - 1
        y = torch.rand(k, n, device="cuda") * 2 - 1
        flop = 2.0 * m * n * k
        reps = 5 if flop > 1e10 else 200
        for tf32 in (False, True):
            torch.backends.cuda.matmul.allow_tf32 = tf32
            ms = time_ms(lambda: torch.matmul(x, y), reps)
            name = f"torch_{m}x{n}x{k}_{'tf32' if tf32 else 'fp32'}"
            result[name] = flop / (ms * 1e-3) / 1e12
            print(f"torch.matmul {m}x{n}x{k} {'tf32' if tf32 else 'fp32'}: "
                  f"{result[name]:.2f} TFLOP/s")
    if a.json:
        with open(a.json + ".tmp", "w") as f:
            json.dump(result, f, indent=2)
        os.replace(a.json + ".tmp", a.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
