#!/usr/bin/env python3
"""Rewrites a .cu file's kernel launches for the CUDA emulator (include/cuda_runtime.h):
`kernel<<<grid, block, smem, stream>>>(args)` becomes
`::nabla_emu::cfg(grid, block, smem, stream)(kernel)(args)`. Nothing else changes.

  hostify.py IN.cu OUT.cpp
"""
import re
import sys

LAUNCH = re.compile(r"([A-Za-z_][\w:]*(?:<[^<>;]*>)?)\s*<<<(.*?)>>>", re.S)


def main(src, dst):
    with open(src) as f:
        text = f.read()
    out, n = LAUNCH.subn(lambda m: f"::nabla_emu::cfg({m.group(2)})({m.group(1)})", text)
    if "<<<" in out:
        sys.exit(f"hostify: {src}: a launch was not rewritten")
    with open(dst, "w") as f:
        f.write(f'#line 1 "{src}"\n' + out)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
