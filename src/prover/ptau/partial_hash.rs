//! BLAKE2b-512 resumed from the 216-byte "partial hash" a snarkjs contribution record stores.
//!
//! A `.ptau` contribution keeps the state of the blake2b hasher that hashed the contributor's
//! response, stopped just before the contributor's public key; snarkjs (`readContribution` in
//! `src/powersoftau_utils.js`, `fromPartialHash` in `src/misc.js`) resumes it, feeds the key in
//! uncompressed form and calls the digest the contribution's *response hash*: the value
//! `snarkjs powersoftau contribute` prints as "Contribution Response Hash" and `powersoftau
//! verify` as "Response Hash". `blake2b_simd` cannot start from a saved state, hence this small
//! RFC 7693 implementation (checked against `blake2b_simd` in the tests).
//!
//! Layout of the 216 bytes (snarkjs 0.7 `toPartialHash`, inherited from blake2b-wasm's context):
//! the 128-byte input buffer, the chained state as 16 little-endian u32 words (low, high half of
//! each u64), the count of bytes already compressed (u64 as two u32), the count of bytes in the
//! buffer (likewise) and 8 unused bytes.

/// Length of the saved state in a contribution record.
pub(super) const PARTIAL_HASH_LEN: usize = 216;

const BLOCK: usize = 128;

const IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

const SIGMA: [[usize; 16]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/// A BLAKE2b-512 hasher (no key, no salt) that keeps the last block until `finalize`, as
/// blake2b-wasm and noble-hashes do, so a saved state can always be resumed.
#[derive(Clone)]
pub(super) struct Blake2b512 {
    h: [u64; 8],
    buf: [u8; BLOCK],
    buf_len: usize,
    /// Bytes hashed so far, including those still in `buf`.
    total: u128,
}

impl Blake2b512 {
    /// A fresh hasher.
    pub(super) fn new() -> Self {
        let mut h = IV;
        // Parameter block: digest length 64, no key, fanout 1, depth 1.
        h[0] ^= 0x0101_0040;
        Self {
            h,
            buf: [0; BLOCK],
            buf_len: 0,
            total: 0,
        }
    }

    /// Resumes a state saved by snarkjs; `None` if its buffer count exceeds a block.
    pub(super) fn from_partial(partial: &[u8; PARTIAL_HASH_LEN]) -> Option<Self> {
        let word = |i: usize| {
            let at = BLOCK + 4 * i;
            u64::from(u32::from_le_bytes([
                partial[at],
                partial[at + 1],
                partial[at + 2],
                partial[at + 3],
            ]))
        };
        let mut h = [0u64; 8];
        for (i, h) in h.iter_mut().enumerate() {
            *h = word(2 * i) | (word(2 * i + 1) << 32);
        }
        let compressed = word(16) | (word(17) << 32);
        let buf_len = word(18) | (word(19) << 32);
        if buf_len > BLOCK as u64 {
            return None;
        }
        let mut buf = [0u8; BLOCK];
        buf.copy_from_slice(&partial[..BLOCK]);
        Some(Self {
            h,
            buf,
            buf_len: buf_len as usize,
            total: u128::from(compressed) + u128::from(buf_len),
        })
    }

    /// Feeds `data`.
    pub(super) fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.buf_len == BLOCK {
                // More input follows, so this block is not the last one.
                let block = self.buf;
                self.compress(&block, false);
                self.buf_len = 0;
            }
            let take = (BLOCK - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            self.total += take as u128;
            data = &data[take..];
        }
    }

    /// The 64-byte digest.
    pub(super) fn finalize(mut self) -> [u8; 64] {
        let mut block = self.buf;
        block[self.buf_len..].fill(0);
        self.compress(&block, true);
        let mut out = [0u8; 64];
        for (chunk, h) in out.chunks_exact_mut(8).zip(self.h) {
            chunk.copy_from_slice(&h.to_le_bytes());
        }
        out
    }

    /// RFC 7693 §3.2, with the counter at `self.total`.
    fn compress(&mut self, block: &[u8; BLOCK], last: bool) {
        let mut m = [0u64; 16];
        for (m, chunk) in m.iter_mut().zip(block.chunks_exact(8)) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            *m = u64::from_le_bytes(word);
        }
        let mut v = [0u64; 16];
        v[..8].copy_from_slice(&self.h);
        v[8..].copy_from_slice(&IV);
        v[12] ^= self.total as u64;
        v[13] ^= (self.total >> 64) as u64;
        if last {
            v[14] = !v[14];
        }
        for round in 0..12 {
            let s = &SIGMA[round % 10];
            g(&mut v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
            g(&mut v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
            g(&mut v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
            g(&mut v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
            g(&mut v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
            g(&mut v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
            g(&mut v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
            g(&mut v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
        }
        for i in 0..8 {
            self.h[i] ^= v[i] ^ v[i + 8];
        }
    }

    /// The state in snarkjs's 216-byte layout (`toPartialHash`): what a contribution record
    /// stores, taken just before the contributor's public key is hashed.
    pub(super) fn to_partial(&self) -> [u8; PARTIAL_HASH_LEN] {
        let mut out = [0u8; PARTIAL_HASH_LEN];
        out[..BLOCK].copy_from_slice(&self.buf);
        let compressed = (self.total - self.buf_len as u128) as u64;
        let words = self
            .h
            .iter()
            .flat_map(|h| [*h as u32, (h >> 32) as u32])
            .chain([compressed as u32, (compressed >> 32) as u32])
            .chain([self.buf_len as u32, 0]);
        for (i, w) in words.enumerate() {
            out[BLOCK + 4 * i..BLOCK + 4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        out
    }
}

/// The mixing function G of RFC 7693 §3.1.
fn g(v: &mut [u64; 16], a: usize, b: usize, c: usize, d: usize, x: u64, y: u64) {
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(x);
    v[d] = (v[d] ^ v[a]).rotate_right(32);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(24);
    v[a] = v[a].wrapping_add(v[b]).wrapping_add(y);
    v[d] = (v[d] ^ v[a]).rotate_right(16);
    v[c] = v[c].wrapping_add(v[d]);
    v[b] = (v[b] ^ v[c]).rotate_right(63);
}
