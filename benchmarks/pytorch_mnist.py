#!/usr/bin/python3
"""The Nabla seed network in eager PyTorch, for a peer comparison (benchmarks/compare-pytorch.sh).

Same network, data and hyperparameters as `nabla train`:
  Flatten(28x28) -> Dense(128, relu) -> Dropout(0.2) -> Dense(10, softmax),
  adam (lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7, the Keras defaults),
  sparse categorical crossentropy, shuffled every epoch, Keras initialisation
  (glorot_uniform kernels, zero biases), pixels / 255, the last partial batch kept.

The loop is the fastest honest eager one: the whole data set held as float32 tensors, a fresh
permutation each epoch sliced into batches (no DataLoader), nn.Sequential, F.cross_entropy on the
logits of the last Linear (the softmax fused into the loss, as Keras/TF do), zero_grad(set_to_none),
backward, step. Training loss/accuracy are not tracked unless --train-metrics is given (Keras and
Nabla track them; it costs a few small ops per batch).

  /usr/bin/python3 benchmarks/pytorch_mnist.py [DATA_DIR] --batch-size 32 --epochs 5 --threads 1 \
      --seed 1 --json out.json

Reads the raw IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
t10k-labels-idx1-ubyte) with numpy; DATA_DIR defaults to ~/.cache/nabla/mnist.
"""
import argparse
import json
import os
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data_dir", nargs="?",
                   default=os.path.join(os.path.expanduser("~"), ".cache", "nabla", "mnist"))
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--threads", type=int, default=1,
                   help="intra-op threads (torch, OpenMP and OpenBLAS) and inter-op threads")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", default="cpu",
                   help="cpu or cuda; on cuda the data set is moved to the GPU once, the "
                        "permutation is drawn there, and each epoch's time ends with a "
                        "synchronize (eager mode, no CUDA graphs or compile)")
    p.add_argument("--json", metavar="OUT", help="write a JSON summary here")
    p.add_argument("--train-metrics", action="store_true",
                   help="also accumulate training loss and accuracy per epoch, as Keras does")
    a = p.parse_args()
    if a.batch_size < 1 or a.epochs < 1 or a.threads < 1:
        p.error("--batch-size, --epochs and --threads must be >= 1")
    return a


args = parse_args()
# Thread counts must be fixed before torch (and the BLAS it loads) start their pools: torch's
# set_num_threads sets OpenMP's count but not OpenBLAS's, which reads OPENBLAS_NUM_THREADS once.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def read_idx(path):
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        import gzip
        with gzip.open(path + ".gz", "rb") as f:
            raw = f.read()
    else:
        with open(path, "rb") as f:
            raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: {data.size} bytes of data, header says {dims}")
    return data.reshape(dims)


def load(data_dir, prefix):
    x = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"))
    y = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"))
    x = torch.from_numpy(x.astype(np.float32) / np.float32(255.0))  # (n, 28, 28)
    y = torch.from_numpy(y.astype(np.int64))
    return x, y


def blas_in_use():
    """The BLAS library actually mapped into this process (resolves Debian's alternatives)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
        return sorted(os.path.realpath(p) for p in libs)
    except OSError:
        return []


def main():
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)
    torch.manual_seed(args.seed)

    dev = torch.device(args.device)
    x_train, y_train = load(args.data_dir, "train")
    x_test, y_test = load(args.data_dir, "t10k")
    x_train, y_train, x_test, y_test = (t.to(dev) for t in (x_train, y_train, x_test, y_test))
    n = x_train.shape[0]
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, 128),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(128, 10),  # softmax is fused into F.cross_entropy
    ).to(dev)
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)  # = glorot_uniform (symmetric in fan_in/fan_out)
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)

    b = args.batch_size
    epoch_seconds, history = [], {"loss": [], "accuracy": []}
    for _ in range(args.epochs):
        model.train()
        sync()
        t0 = time.perf_counter()
        perm = torch.randperm(n, device=dev)
        if args.train_metrics:
            loss_sum = torch.zeros((), device=dev)
            correct = torch.zeros((), dtype=torch.int64, device=dev)
        for i in range(0, n, b):
            idx = perm[i:i + b]
            xb, yb = x_train[idx], y_train[idx]
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if args.train_metrics:
                with torch.no_grad():
                    loss_sum += loss.detach() * yb.shape[0]
                    correct += (logits.argmax(1) == yb).sum()
        sync()
        epoch_seconds.append(time.perf_counter() - t0)
        if args.train_metrics:
            history["loss"].append(loss_sum.item() / n)
            history["accuracy"].append(correct.item() / n)

    model.eval()
    with torch.no_grad():
        logits = model(x_test)
        test_loss = F.cross_entropy(logits, y_test).item()
        test_accuracy = (logits.argmax(1) == y_test).float().mean().item()

    result = {
        "framework": "pytorch",
        "device": str(dev) + (f" ({torch.cuda.get_device_name(dev)})" if dev.type == "cuda" else ""),
        "threads": args.threads,
        "batch_size": b,
        "epochs": args.epochs,
        "seed": args.seed,
        "epoch_seconds": epoch_seconds,
        "samples_per_second": [n / s for s in epoch_seconds],
        "test_accuracy": test_accuracy,
        "test_loss": test_loss,
        "torch_version": torch.__version__,
        "torch_num_threads": torch.get_num_threads(),
        "torch_num_interop_threads": torch.get_num_interop_threads(),
        "blas": blas_in_use(),
    }
    if args.train_metrics:
        result["history"] = history
    for e, s in enumerate(epoch_seconds, 1):
        print(f"epoch {e}: {s:.3f} s, {n / s:.0f} samples/s")
    print(f"Test accuracy: {test_accuracy:.4f} - test loss: {test_loss:.4f}")
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f, indent=2)
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
