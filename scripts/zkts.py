"""The test-set file format (`.zkts`, version 1, docs/PROTOCOL.md §8) for the scripts that make
test data: a 28-byte header, then per row F signed little-endian features of `value_bytes`
bytes and a u16 label. Standard library and NumPy only."""

import struct

import numpy as np

CODES = {1: "b", 2: "h", 4: "i"}


def read_zkts(path):
    """`(x, y)` of a `.zkts` file as int64 arrays."""
    data = path.read_bytes()
    magic, version, vbytes, _, n, f, _, _, _ = struct.unpack_from("<4sHBBIIiiI", data)
    assert magic == b"ZKTS" and version == 1, path
    code = CODES[vbytes]
    row = f * vbytes + 2
    x = np.zeros((n, f), dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    for i in range(n):
        off = 28 + i * row
        x[i] = struct.unpack_from(f"<{f}{code}", data, off)
        (y[i],) = struct.unpack_from("<H", data, off + f * vbytes)
    return x, y


def write_zkts(path, x, y, classes, x_min=0, x_max=16, value_bytes=1):
    """Writes `x` (rows of features) and `y` (labels) as a `.zkts` file."""
    n, f = x.shape
    header = struct.pack("<4sHBBIIiiI", b"ZKTS", 1, value_bytes, 0, n, f, x_min, x_max, classes)
    body = bytearray()
    for row, label in zip(x, y):
        body += struct.pack(f"<{f}{CODES[value_bytes]}", *[int(v) for v in row])
        body += struct.pack("<H", int(label))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + bytes(body))
    print(f"wrote {path} ({n} rows)")
