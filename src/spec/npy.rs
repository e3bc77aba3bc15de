//! A small reader for NumPy's `.npy` format (versions 1–3) and for `.npz` archives as
//! `np.savez` writes them (stored, uncompressed ZIP entries, with or without ZIP64 sizes).
//! Numbers become text cells (Rust's shortest round-trip form, so the value read back is the
//! same `f64`), which the table code parses and checks like CSV cells.
//!
//! Supported dtypes: `f4`, `f8`, `i1`–`i8`, `u1`–`u8`, `b1` (either byte order) and fixed-width
//! unicode strings `U<n>` (labels). Object arrays (`O`, pickled) are refused: they need Python
//! to read and can run code.

use std::path::Path;

use super::table::{Result, TableError};

/// An array read from a `.npy` file: its shape and its values as text, in C order.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    /// The shape.
    pub shape: Vec<usize>,
    /// The values, row-major.
    pub cells: Vec<String>,
}

fn err(path: &str, message: impl Into<String>) -> TableError {
    TableError::Npy {
        path: path.to_string(),
        message: message.into(),
    }
}

/// The value of `'key':` in the header's dict literal, up to the next top-level `,` or `}`.
fn header_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let at = header.find(&format!("'{key}'"))? + key.len() + 2;
    let rest = header[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else {
        rest.find([',', '}'])?
    };
    Some(rest[..end].trim())
}

/// Reads a `.npy` file.
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TableError::Io {
        path: name.clone(),
        source,
    })?;
    parse_npy(&name, &bytes)
}

/// Parses the bytes of a `.npy` file (`path` names it in messages).
pub fn parse_npy(path: &str, bytes: &[u8]) -> Result<NpyArray> {
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(err(path, "not a .npy file (no \\x93NUMPY magic)"));
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(err(path, format!("unsupported .npy version {v}"))),
    };
    let header = bytes
        .get(start..start + header_len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| err(path, "truncated or non-UTF-8 .npy header"))?;
    let data = &bytes[start + header_len..];
    let descr = header_value(header, "descr")
        .map(|d| d.trim_matches(['\'', '"']))
        .ok_or_else(|| err(path, format!("no 'descr' in the header {header:?}")))?;
    let fortran = header_value(header, "fortran_order") == Some("True");
    let shape_text = header_value(header, "shape")
        .ok_or_else(|| err(path, format!("no 'shape' in the header {header:?}")))?;
    let shape = shape_text
        .trim_matches(['(', ')'])
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>())
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| err(path, format!("bad shape {shape_text}")))?;
    let count: usize = shape.iter().product();

    let (order, kind) = descr.split_at(1);
    let little = match order {
        "<" | "|" | "=" => true,
        ">" => false,
        _ => return Err(err(path, format!("unsupported dtype {descr:?}"))),
    };
    if kind.starts_with('O') {
        return Err(err(
            path,
            "object arrays (dtype O) are pickled Python objects: save numbers or fixed-width strings (e.g. y.astype(str))",
        ));
    }
    let (code, width) = kind.split_at(1);
    let width: usize = width
        .parse()
        .map_err(|_| err(path, format!("unsupported dtype {descr:?}")))?;
    let elem = match code {
        "U" => width * 4,
        "f" | "i" | "u" | "b" => width,
        _ => return Err(err(path, format!("unsupported dtype {descr:?}"))),
    };
    if data.len() < count * elem {
        return Err(err(
            path,
            format!(
                "truncated: {count} values of {elem} bytes need {} bytes, the file has {}",
                count * elem,
                data.len()
            ),
        ));
    }
    let word = |b: &[u8]| -> u64 {
        let mut v = 0u64;
        let iter: Box<dyn Iterator<Item = &u8>> = if little {
            Box::new(b.iter().rev())
        } else {
            Box::new(b.iter())
        };
        for &x in iter {
            v = (v << 8) | u64::from(x);
        }
        v
    };
    let mut cells = Vec::with_capacity(count);
    for chunk in data[..count * elem].chunks(elem) {
        let cell = match (code, width) {
            ("f", 8) => f64::from_bits(word(chunk)).to_string(),
            ("f", 4) => f64::from(f32::from_bits(word(chunk) as u32)).to_string(),
            ("i", 1 | 2 | 4 | 8) => {
                let bits = 8 * width as u32;
                (((word(chunk) << (64 - bits)) as i64) >> (64 - bits)).to_string()
            }
            ("u", 1 | 2 | 4 | 8) => word(chunk).to_string(),
            ("b", 1) => u8::from(chunk[0] != 0).to_string(),
            ("U", _) => chunk
                .chunks(4)
                .map(|c| word(c) as u32)
                .take_while(|&c| c != 0)
                .map(|c| char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
            _ => return Err(err(path, format!("unsupported dtype {descr:?}"))),
        };
        cells.push(cell);
    }
    if fortran && shape.len() == 2 {
        let (r, c) = (shape[0], shape[1]);
        let col_major = std::mem::take(&mut cells);
        cells = (0..r * c)
            .map(|i| col_major[(i % c) * r + i / c].clone())
            .collect();
    } else if fortran && shape.len() > 2 {
        return Err(err(path, "Fortran-order arrays of more than 2 dimensions"));
    }
    Ok(NpyArray { shape, cells })
}

/// Reads the arrays `names` from a `.npz` archive written by `np.savez` (stored entries;
/// `np.savez_compressed` archives are refused with that advice).
pub fn read_npz(path: &Path, names: &[&str]) -> Result<Vec<NpyArray>> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| TableError::Io {
        path: file.clone(),
        source,
    })?;
    let entries = zip_entries(&file, &bytes)?;
    names
        .iter()
        .map(|name| {
            let entry = format!("{name}.npy");
            let (_, method, data) = entries
                .iter()
                .find(|(n, _, _)| *n == entry)
                .ok_or_else(|| {
                    let have: Vec<&str> = entries
                        .iter()
                        .map(|(n, _, _)| n.trim_end_matches(".npy"))
                        .collect();
                    err(
                        &file,
                        format!("no array {name:?} in the archive; it has: {}", have.join(", ")),
                    )
                })?;
            if *method != 0 {
                return Err(err(
                    &file,
                    format!("array {name:?} is compressed (ZIP method {method}): write the archive with np.savez, not np.savez_compressed"),
                ));
            }
            parse_npy(&format!("{file}[{name}]"), data)
        })
        .collect()
}

/// The local file entries of a ZIP archive: name, compression method, data.
fn zip_entries<'a>(path: &str, bytes: &'a [u8]) -> Result<Vec<(String, u16, &'a [u8])>> {
    let u16_at = |i: usize| -> Option<u16> {
        Some(u16::from_le_bytes(bytes.get(i..i + 2)?.try_into().ok()?))
    };
    let u32_at = |i: usize| -> Option<u32> {
        Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?))
    };
    let u64_at = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(bytes.get(i..i + 8)?.try_into().ok()?))
    };
    let bad = || {
        err(
            path,
            "not a ZIP archive as np.savez writes it (truncated or malformed local header)",
        )
    };
    let mut out = Vec::new();
    let mut at = 0usize;
    while u32_at(at) == Some(0x0403_4b50) {
        let flags = u16_at(at + 6).ok_or_else(bad)?;
        let method = u16_at(at + 8).ok_or_else(bad)?;
        let mut size = u64::from(u32_at(at + 18).ok_or_else(bad)?);
        let name_len = usize::from(u16_at(at + 26).ok_or_else(bad)?);
        let extra_len = usize::from(u16_at(at + 28).ok_or_else(bad)?);
        if flags & 0x8 != 0 {
            return Err(err(path, "ZIP entries with data descriptors (streamed archives) are not supported: write the archive with np.savez to a file"));
        }
        let name = bytes.get(at + 30..at + 30 + name_len).ok_or_else(bad)?;
        let name = String::from_utf8_lossy(name).into_owned();
        let extra_start = at + 30 + name_len;
        if size == 0xFFFF_FFFF {
            // ZIP64: the extra field 0x0001 holds the uncompressed then the compressed size.
            let mut e = extra_start;
            let mut found = None;
            while e + 4 <= extra_start + extra_len {
                let (id, len) = (
                    u16_at(e).ok_or_else(bad)?,
                    usize::from(u16_at(e + 2).ok_or_else(bad)?),
                );
                if id == 1 {
                    found = u64_at(e + 12);
                }
                e += 4 + len;
            }
            size = found.ok_or_else(bad)?;
        }
        let data_start = extra_start + extra_len;
        let size = usize::try_from(size).map_err(|_| bad())?;
        let data = bytes.get(data_start..data_start + size).ok_or_else(bad)?;
        out.push((name, method, data));
        at = data_start + size;
    }
    if out.is_empty() {
        return Err(err(
            path,
            "not a .npz archive (no ZIP local file header at the start)",
        ));
    }
    Ok(out)
}

/// A version-1 `.npy` file as `np.save` writes it (header padded to a multiple of 64 bytes)
/// around `data`, already in the `descr` dtype's bytes (e.g. `"<f8"`, `"(rows, cols)"`).
pub fn npy_v1(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_floats_ints_and_strings() {
        let data: Vec<u8> = [1.5f64, -2.0, 0.1, f64::NAN]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let a = parse_npy("x.npy", &npy_v1("<f8", "(2, 2)", &data)).unwrap();
        assert_eq!(a.shape, [2, 2]);
        assert_eq!(a.cells, ["1.5", "-2", "0.1", "NaN"]);
        let a = parse_npy(
            "y.npy",
            &npy_v1("<i2", "(3,)", &[0xff, 0xff, 2, 0, 0, 0x80]),
        )
        .unwrap();
        assert_eq!(a.cells, ["-1", "2", "-32768"]);
        let s: Vec<u8> = "ab\0\0c\0\0\0"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let a = parse_npy("y.npy", &npy_v1("<U4", "(2,)", &s)).unwrap();
        assert_eq!(a.cells, ["ab", "c"]);
        let e = parse_npy("o.npy", &npy_v1("|O", "(1,)", &[0; 8])).unwrap_err();
        assert!(e.to_string().contains("pickled"), "{e}");
        let e = parse_npy("t.npy", &npy_v1("<f8", "(2, 2)", &data[..24])).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    /// One ZIP local file entry (no ZIP64), compression `method`.
    fn zip_entry(name: &str, method: u16, data: &[u8]) -> Vec<u8> {
        let mut out = 0x0403_4b50u32.to_le_bytes().to_vec();
        out.extend_from_slice(&[20, 0, 0, 0]); // version, flags
        out.extend_from_slice(&method.to_le_bytes());
        out.extend_from_slice(&[0; 8]); // time, date, crc
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn npz_arrays_by_name_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.npz");
        let x = npy_v1("|u1", "(1, 2)", &[7, 9]);
        let y = npy_v1("|u1", "(1,)", &[1]);
        let mut zip = zip_entry("x.npy", 0, &x);
        zip.extend(zip_entry("y.npy", 0, &y));
        zip.extend(zip_entry("z.npy", 8, &y));
        std::fs::write(&path, &zip).unwrap();
        let arrays = read_npz(&path, &["y", "x"]).unwrap();
        assert_eq!(
            (arrays[0].cells.clone(), arrays[1].cells.clone()),
            (
                vec!["1".to_string()],
                vec!["7".to_string(), "9".to_string()]
            )
        );
        let e = read_npz(&path, &["w"]).unwrap_err().to_string();
        assert!(
            e.contains("no array \"w\" in the archive; it has: x, y, z"),
            "{e}"
        );
        let e = read_npz(&path, &["z"]).unwrap_err().to_string();
        assert!(e.contains("np.savez, not np.savez_compressed"), "{e}");
        std::fs::write(&path, b"PK\x05\x06").unwrap();
        let e = read_npz(&path, &["x"]).unwrap_err().to_string();
        assert!(e.contains("not a .npz archive"), "{e}");
    }
}
