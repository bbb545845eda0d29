#!/usr/bin/env python3
"""safetensors_torch test: runs the driver, loads its safetensors files with plain Python (json +
torch.frombuffer; the `safetensors` package is not used) into a torch.nn.Linear stack, and checks that
torch's forward pass on posenc's encoding equals posenc's prediction.
Usage: check.py DRIVER OUT_DIR. Prints "POSENC_SKIP: ..." and exits 0 when torch is not installed."""
import json
import struct
import subprocess
import sys

try:
    import torch
except ImportError:
    print(f"POSENC_SKIP: torch is not installed for {sys.executable} (Debian: python3-torch)")
    sys.exit(0)

DTYPES = {"F32": (torch.float32, 4), "F64": (torch.float64, 8)}


def load_safetensors(path):
    """(tensors by name, metadata) from a safetensors file, validating the layout on the way."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0 and 8 + n <= len(raw), f"{path}: bad header length {n}"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = bytearray(raw[8 + n:])  # writable buffer for torch.frombuffer
    end = 0
    tensors = {}
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        dtype, size = DTYPES[e["dtype"]]
        begin, stop = e["data_offsets"]
        assert begin == end, f"{path}: {name} does not start where the previous tensor ends"
        count = (stop - begin) // size
        shape = e["shape"]
        numel = 1
        for s in shape:
            numel *= s
        assert count == numel, f"{path}: {name} offsets do not match its shape {shape}"
        tensors[name] = torch.frombuffer(data, dtype=dtype, count=count, offset=begin).reshape(shape)
        end = stop
    assert end == len(data), f"{path}: data buffer has {len(data) - end} unused bytes"
    return tensors, meta


class Sine(torch.nn.Module):
    def __init__(self, w):
        super().__init__()
        self.w = w

    def forward(self, z):
        return torch.sin(self.w * z)


class Gauss(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.a = a

    def forward(self, z):
        return torch.exp(-z * z / (2 * self.a * self.a))


def activation(name, param):
    return {"identity": lambda: torch.nn.Identity(), "relu": lambda: torch.nn.ReLU(),
            "sigmoid": lambda: torch.nn.Sigmoid(), "tanh": lambda: torch.nn.Tanh(),
            "sine": lambda: Sine(param), "gaussian": lambda: Gauss(param)}[name]()


def build_mlp(tensors, meta):
    """A torch.nn.Sequential of Linear + activation layers holding the exported weights."""
    depth = int(meta["depth"])
    layers, state = [], {}
    for l in range(depth + 1):
        w, b = tensors[f"layer{l}.weight"], tensors[f"layer{l}.bias"]
        layers.append(torch.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype))
        last = l == depth
        kind = "output" if last else "hidden"
        layers.append(activation(meta[f"{kind}_activation"], float(meta[f"{kind}_param"])))
        state[f"{2 * l}.weight"], state[f"{2 * l}.bias"] = w, b
    net = torch.nn.Sequential(*layers)
    net.load_state_dict(state)
    return net


def main():
    driver, out = sys.argv[1], sys.argv[2]
    listing = subprocess.run([driver, out], check=True, capture_output=True, text=True).stdout
    failures = 0
    for line in listing.splitlines():
        name = line.split(":")[0]
        tensors, meta = load_safetensors(f"{out}/{name}.safetensors")
        io, _ = load_safetensors(f"{out}/{name}.io.safetensors")
        net = build_mlp(tensors, meta)
        assert int(meta["input_dim"]) == io["psi"].shape[1]
        spec = json.loads(meta["encoder"])
        with torch.no_grad():
            y = net(io["psi"])
        err = (y - io["pred"]).abs().max().item()
        tol = 1e-5 if y.dtype == torch.float32 else 1e-12
        ok = err <= tol
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: encoder {spec['type']}, {y.dtype}, "
              f"max |torch - posenc| = {err:.3g} (tolerance {tol:g})")
    print(f"{len(listing.splitlines()) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
