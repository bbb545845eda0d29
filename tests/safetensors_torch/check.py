#!/usr/bin/env python3
"""safetensors_torch test: runs the driver, loads its safetensors files with plain Python (json +
torch.frombuffer; the `safetensors` package is not used) into a torch.nn.Linear stack, and checks that
torch's forward pass on posenc's encoding equals posenc's prediction.

For a multiresolution grid ("hashgrid", posenc's Grid<T>) the encoding is not taken from posenc:
grid_encode() below recomputes it from the test points and the exported table "encoder.grid.table"
(levels, resolutions, dense index or spatial hash, interpolation weights, written from the formulas
of docs/encodings.md section 5 and tiny-cuda-nn's grid.h, not from posenc's code), and the MLP runs on
that. Both the encoding and the prediction must match posenc's.
Usage: check.py DRIVER OUT_DIR. Prints "POSENC_SKIP: ..." and exits 0 when torch is not installed."""
import json
import math
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


MASK32 = 0xFFFFFFFF
PRIMES = (1, 2654435761, 805459861, 3674653429)  # tiny-cuda-nn's CoherentPrime hash factors


def f32(v):
    """v rounded to IEEE single precision (as a Python float)."""
    return struct.unpack("<f", struct.pack("<f", v))[0]


def grid_levels(p):
    """Per level: (scale, shift, resolution, size, dense, offset), from the spec parameters p."""
    d, L = int(p["input_dim"]), int(p["levels"])
    n_min, b = int(p["base_resolution"]), float(p["per_level_scale"])
    n_max = float(p.get("max_resolution", 0))
    if n_max > 0:  # b from N_max (tiny-cuda-nn's documented convention)
        b = math.exp(math.log(n_max / n_min) / (L - 1)) if L > 1 else 1.0
    vertex = int(p["alignment"]) == 1
    cap = 2 ** int(p["log2_table_size"])
    out, offset = [], 0
    for l in range(L):
        if vertex:  # N_l = floor(N_min b^l + 1e-6) cells, vertices at k / N_l
            scale, shift = float(math.floor(n_min * b ** l + 1e-6)), 0.0
        else:  # tiny-cuda-nn, in float: exp2f(l * log2(b)) * N_min - 1
            log2b = f32(math.log2(f32(b)))
            scale, shift = f32(f32(f32(2.0 ** f32(l * log2b)) * n_min) - 1.0), 0.5
        res = math.ceil(scale) + 1
        dense_count = min(res ** d, 0x7FFFFFFF + 1)
        size = min((min(dense_count, 0x7FFFFFFF) + 7) // 8 * 8, cap)
        out.append((scale, shift, res, size, dense_count <= size, offset))
        offset += size
    return out


def tcnn_params(table):
    """posenc's exported table [F, E] as tiny-cuda-nn's flat grid parameters [E F]: entry e of level l,
    feature f at (offset_l + e) F + f (docs/encodings.md section 5, "Continuing a fit on a GPU")."""
    return table.t().contiguous().reshape(-1)


def grid_encode(x, table, p, flat=False):
    """The grid encoding of points x [N, d] with table [F, E] (posenc's export layout), or with flat
    = True with tiny-cuda-nn's flat parameter vector (tcnn_params(table)) read the way tiny-cuda-nn's
    grid_index() addresses it: [N, L F]."""
    d, F = int(p["input_dim"]), int(p["features"])
    interp = int(p["interpolation"])  # 1 linear, 2 smoothstep
    assert interp in (1, 2), "check.py implements linear and smoothstep interpolation"
    vertex = int(p["alignment"]) == 1
    n = x.shape[0]
    codes = []
    for scale, shift, res, size, dense, offset in grid_levels(p):
        xd = x.double()
        pos = scale * xd + shift  # exact for float32 x and scale: one rounding, as fmaf
        if x.dtype == torch.float32:
            pos = pos.float().double()
        g = torch.floor(pos)
        if vertex:  # x = 1 lies on the last vertex: use the last cell with fraction 1
            g = torch.minimum(g, torch.full_like(g, scale - 1))
        frac = (pos - g).to(x.dtype)
        q = frac if interp == 1 else frac * frac * (3 - 2 * frac)
        g = g.long()
        code = torch.zeros(n, F, dtype=x.dtype)
        for c in range(1 << d):
            w = torch.ones(n, dtype=x.dtype)
            k = []
            for i in range(d):
                up = (c >> i) & 1
                k.append(g[:, i] + up)
                w = w * (q[:, i] if up else 1 - q[:, i])
            if dense:  # sum_i k_i R^i, axis 0 fastest (k_i = R aliases into the next row)
                idx = torch.zeros(n, dtype=torch.long)
                stride = 1
                for i in range(d):
                    idx = (idx + k[i] * stride) & MASK32
                    stride *= res
            else:  # xor_i (k_i pi_i mod 2^32)
                idx = torch.zeros(n, dtype=torch.long)
                for i in range(d):
                    idx = idx ^ ((k[i] * PRIMES[i]) & MASK32)
            idx = idx % size
            if flat:  # tiny-cuda-nn: grid[offset_l F + (index % size) F + feature]
                feats = torch.stack([table[(offset + idx) * F + f] for f in range(F)], dim=1)
            else:
                feats = table[:, offset + idx].T
            code = code + w[:, None] * feats
        codes.append(code)
    return torch.cat(codes, dim=1)


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
        psi, note = io["psi"], ""
        tol = 1e-5 if psi.dtype == torch.float32 else 1e-12
        if spec["type"] == "hashgrid":
            table = tensors["encoder.grid.table"]
            p = spec  # the parameters sit next to "type"
            levels = grid_levels(p)
            assert table.shape == (int(p["features"]), levels[-1][3] + levels[-1][5]), table.shape
            assert int(meta["coordinate_dim"]) == int(p["input_dim"]) == io["x"].shape[1]
            psi = grid_encode(io["x"], table, p)
            enc_err = (psi - io["psi"]).abs().max().item()
            # the same from the flat vector in tiny-cuda-nn's order (the mapping docs/encodings.md gives)
            flat_err = (grid_encode(io["x"], tcnn_params(table), p, flat=True) - io["psi"]).abs().max().item()
            enc_err = max(enc_err, flat_err)
            hashed = sum(not lv[4] for lv in levels)
            note = (f" ({len(levels)} levels, {hashed} hashed; |psi_torch - psi_posenc| = {enc_err:.3g})")
            if not enc_err <= tol:
                failures += 1
                print(f"FAIL {name}: grid encoding differs by {enc_err:.3g} (tolerance {tol:g})")
        with torch.no_grad():
            y = net(psi)
        err = (y - io["pred"]).abs().max().item()
        ok = err <= tol
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: encoder {spec['type']}, {y.dtype}, "
              f"max |torch - posenc| = {err:.3g} (tolerance {tol:g}){note}")
    print(f"{len(listing.splitlines()) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
