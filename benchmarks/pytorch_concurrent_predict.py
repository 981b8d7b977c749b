#!/usr/bin/python3
"""The PyTorch side of benchmarks/concurrent-predict.sh (issue 14): the seed network
(Flatten -> Linear 784x128 -> ReLU -> Dropout 0.2 -> Linear 128x10 -> Softmax) in eval mode under
torch.no_grad, one model shared by CLIENTS Python threads, each predicting its own fixed batch of
random images in a loop for SECONDS after a warm-up of the same length, every call timed. PyTorch
releases the GIL inside its ops, so threads overlap there. Intra-op threads are set to 1 (as the
Nabla side): the clients are the parallelism.

  /usr/bin/python3 benchmarks/pytorch_concurrent_predict.py [SECONDS=3] [BATCHES=1,32] [CLIENTS=1,2,8]

Prints the same columns as dev.nabla.bench.ConcurrentPredict.
"""
import sys
import threading
import time

import torch


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    batches = [int(b) for b in (sys.argv[2] if len(sys.argv) > 2 else "1,32").split(",")]
    clients = [int(c) for c in (sys.argv[3] if len(sys.argv) > 3 else "1,2,8").split(",")]
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Dropout(0.2), torch.nn.Linear(128, 10),
                                torch.nn.Softmax(dim=1))
    model.eval()
    print("torch %s, intra-op threads %d" % (torch.__version__, torch.get_num_threads()))
    print("framework batch clients  calls/s  images/s  p50_us  p99_us")
    for b in batches:
        for c in clients:
            run(model, b, c, seconds)


def run(model, batch, clients, seconds):
    xs = [torch.rand(batch, 28, 28, generator=torch.Generator().manual_seed(100 + t))
          for t in range(clients)]
    lat = []
    for phase in range(2):  # warm-up, then measured
        barrier = threading.Barrier(clients)
        results = [None] * clients

        def client(i):
            mine = []
            barrier.wait()
            end = time.perf_counter() + seconds
            now = time.perf_counter()
            with torch.no_grad():
                while now < end:
                    t0 = time.perf_counter()
                    model(xs[i])
                    now = time.perf_counter()
                    mine.append(now - t0)
            results[i] = mine

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if phase == 1:
            for r in results:
                lat.extend(r)
    lat.sort()
    n = len(lat)
    calls = n / seconds
    print("%-9s %5d %7d %8.0f %9.0f %7.0f %7.0f" % (
        "pytorch", batch, clients, calls, calls * batch, lat[n // 2] * 1e6,
        lat[min(n - 1, int(n * 0.99))] * 1e6))


if __name__ == "__main__":
    main()
