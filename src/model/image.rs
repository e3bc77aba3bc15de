//! The integer image stages of a model (convolutions and pooling before `flatten`) and their
//! reference semantics (`docs/PROTOCOL.md` §9). Values are channel-major (`C×H×W`).
//!
//! - convolution: `z[o,y,x] = b_o + Σ_{c,i,j} K[o,c,i,j] · a[c, s·y + i − p, s·x + j − p]`
//!   (zero outside the input), then `q = requantize(z, shift)` and `a' = clamp(q, 0,
//!   activation_max)` as for a hidden dense layer;
//! - max pooling: the window's largest value;
//! - average pooling: the window's *sum* (the division by the area belongs to the next layer).

use super::reference::requantize;
use super::{ModelError, Result};
use crate::spec::{ImageShape, ImageStage, PoolEnvelope};

/// A convolution: int8 kernel `O×C×KH×KW` (ONNX's OIHW order, flat), int32 biases, a shift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvLayer {
    /// Input channels `C`.
    pub c_in: usize,
    /// Output channels `O`.
    pub c_out: usize,
    /// Kernel side.
    pub kernel: usize,
    /// Stride (both axes).
    pub stride: usize,
    /// Zero padding on every side.
    pub padding: usize,
    weights: Vec<i8>,
    biases: Vec<i32>,
    shift: u32,
}

impl ConvLayer {
    /// A convolution from its flat OIHW kernel and one bias per output channel.
    pub fn new(
        (c_in, c_out): (usize, usize),
        (kernel, stride, padding): (usize, usize, usize),
        weights: Vec<i8>,
        biases: Vec<i32>,
        shift: u32,
    ) -> Result<Self> {
        if c_in == 0 || c_out == 0 || kernel == 0 || stride == 0 {
            return Err(ModelError::Reference(
                "a convolution needs channels, a kernel and a stride of at least 1".into(),
            ));
        }
        if weights.len() != c_out * c_in * kernel * kernel || biases.len() != c_out {
            return Err(ModelError::Reference(format!(
                "a {c_out}×{c_in}×{kernel}×{kernel} convolution needs {} weights and {c_out} biases, got {} and {}",
                c_out * c_in * kernel * kernel,
                weights.len(),
                biases.len()
            )));
        }
        Ok(Self {
            c_in,
            c_out,
            kernel,
            stride,
            padding,
            weights,
            biases,
            shift,
        })
    }

    /// The kernel, flat OIHW.
    pub fn weights(&self) -> &[i8] {
        &self.weights
    }

    /// One bias per output channel.
    pub fn biases(&self) -> &[i32] {
        &self.biases
    }

    /// The right shift.
    pub fn shift(&self) -> u32 {
        self.shift
    }

    /// The envelope stage this convolution has the geometry of (with its own channel count).
    pub fn stage(&self) -> ImageStage {
        ImageStage::Conv(crate::spec::ConvEnvelope {
            channels: self.c_out,
            kernel: self.kernel,
            stride: self.stride,
            padding: self.padding,
        })
    }

    /// `z = conv(a) + b` for one `C×H×W` input (exact, in i64).
    pub fn pre_activation(&self, a: &[i64], shape: ImageShape) -> Vec<i64> {
        let weights: Vec<i64> = self.weights.iter().map(|&w| i64::from(w)).collect();
        let biases: Vec<i64> = self.biases.iter().map(|&b| i64::from(b)).collect();
        let geometry = (self.c_out, self.kernel, self.stride, self.padding);
        convolve(a, shape, geometry, (&weights, &biases))
    }
}

/// `z[o][y][x] = b[o] + Σ_{c,i,j} K[o][c][i][j] · a[c][s·y + i − p][s·x + j − p]` over one
/// `C×H×W` input (positions outside it read 0), for `(O, k, s, p)` = output channels, kernel
/// side, stride and padding, the kernel flat OIHW: the integer reference and the float network
/// share it.
pub fn convolve<T>(
    a: &[T],
    [c, h, w]: ImageShape,
    (c_out, k, s, p): (usize, usize, usize, usize),
    (weights, biases): (&[T], &[T]),
) -> Vec<T>
where
    T: Copy + std::ops::Add<Output = T> + std::ops::Mul<Output = T>,
{
    let (ho, wo) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1);
    let mut z = Vec::with_capacity(c_out * ho * wo);
    for o in 0..c_out {
        for y in 0..ho {
            for x in 0..wo {
                let mut acc = biases[o];
                for ci in 0..c {
                    for i in 0..k {
                        // Input row s·y + i − p, skipped when in the padding.
                        let Some(row) = (s * y + i).checked_sub(p).filter(|&r| r < h) else {
                            continue;
                        };
                        for j in 0..k {
                            let Some(col) = (s * x + j).checked_sub(p).filter(|&q| q < w) else {
                                continue;
                            };
                            let weight = weights[((o * c + ci) * k + i) * k + j];
                            acc = acc + weight * a[(ci * h + row) * w + col];
                        }
                    }
                }
                z.push(acc);
            }
        }
    }
    z
}

/// One image stage of a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageLayer {
    /// A convolution, ReLU and saturation.
    Conv(ConvLayer),
    /// Max pooling.
    MaxPool(PoolEnvelope),
    /// Average pooling (the window's sum).
    AvgPool(PoolEnvelope),
}

/// Every intermediate value of one image stage for one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageTrace {
    /// A convolution's `z` (empty for pooling).
    pub z: Vec<i64>,
    /// The stage's output, `C×H×W` flat.
    pub output: Vec<i64>,
}

impl ImageLayer {
    /// The envelope stage of this layer's geometry (a convolution with its own channel count).
    pub fn stage(&self) -> ImageStage {
        match self {
            ImageLayer::Conv(c) => c.stage(),
            ImageLayer::MaxPool(p) => ImageStage::MaxPool(*p),
            ImageLayer::AvgPool(p) => ImageStage::AvgPool(*p),
        }
    }

    /// Runs the stage on one `C×H×W` input whose shape is `shape`; `activation_max` saturates a
    /// convolution's outputs.
    pub fn forward(&self, a: &[i64], shape: ImageShape, activation_max: i64) -> ImageTrace {
        match self {
            ImageLayer::Conv(conv) => {
                let z = conv.pre_activation(a, shape);
                let output = z
                    .iter()
                    .map(|&v| requantize(v, conv.shift).clamp(0, activation_max))
                    .collect();
                ImageTrace { z, output }
            }
            ImageLayer::MaxPool(p) | ImageLayer::AvgPool(p) => {
                let max = matches!(self, ImageLayer::MaxPool(_));
                let output = pool_windows(shape, *p)
                    .into_iter()
                    .map(|window| {
                        let values = window.iter().map(|&i| a[i]);
                        if max {
                            values.max().unwrap_or(0)
                        } else {
                            values.sum()
                        }
                    })
                    .collect();
                ImageTrace {
                    z: Vec::new(),
                    output,
                }
            }
        }
    }
}

/// The windows of a pooling over a `C×H×W` input, as flat indices, in output (CHW) order.
pub fn pool_windows([c, h, w]: ImageShape, p: PoolEnvelope) -> Vec<Vec<usize>> {
    let (k, s) = (p.kernel, p.stride);
    if k == 0 || s == 0 || k > h || k > w {
        return Vec::new();
    }
    let (ho, wo) = ((h - k) / s + 1, (w - k) / s + 1);
    let mut out = Vec::with_capacity(c * ho * wo);
    for ch in 0..c {
        for y in 0..ho {
            for x in 0..wo {
                let cells = (0..k).flat_map(|dy| (0..k).map(move |dx| (dy, dx)));
                out.push(
                    cells
                        .map(|(dy, dx)| (ch * h + s * y + dy) * w + s * x + dx)
                        .collect(),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convolution_matches_a_hand_computed_example() {
        // One 3×3 input channel, two output channels of a 2×2 kernel, stride 1, padding 1.
        let a = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        let conv = ConvLayer::new(
            (1, 2),
            (2, 1, 1),
            vec![1, 0, 0, 1, 0, 0, 0, -1],
            vec![10, 0],
            0,
        )
        .expect("conv");
        let z = conv.pre_activation(&a, [1, 3, 3]);
        assert_eq!(z.len(), 2 * 4 * 4);
        // Channel 0: a[y−1][x−1] + a[y][x] + 10; output (1,1) reads a[0][0] + a[1][1] = 1 + 5.
        assert_eq!(z[5], 16);
        // Corner (0,0): only a[0][0] under the (1,1) tap.
        assert_eq!(z[0], 11);
        // Channel 1: −a[y][x]; output (3,3) is entirely padding.
        assert_eq!(z[16], -1);
        assert_eq!(z[31], 0);
        let trace = ImageLayer::Conv(conv).forward(&a, [1, 3, 3], 12);
        assert_eq!(trace.output[5], 12, "saturated");
        assert_eq!(trace.output[16], 0, "ReLU");
    }

    #[test]
    fn pooling_takes_the_max_or_the_sum_of_each_window() {
        let a: Vec<i64> = (0..32).collect(); // 2 channels of 4×4
        let p = PoolEnvelope {
            kernel: 2,
            stride: 2,
        };
        let max = ImageLayer::MaxPool(p).forward(&a, [2, 4, 4], 255).output;
        assert_eq!(max, vec![5, 7, 13, 15, 21, 23, 29, 31]);
        let sum = ImageLayer::AvgPool(p).forward(&a, [2, 4, 4], 255).output;
        assert_eq!(sum[0], 1 + 4 + 5);
        assert_eq!(sum[7], 26 + 27 + 30 + 31);
    }

    fn pool(kernel: usize, stride: usize) -> PoolEnvelope {
        PoolEnvelope { kernel, stride }
    }

    #[test]
    fn windows_follow_chw_layout() {
        // 2 channels of 4×4, 2×2 windows with stride 2: 2·2·2 windows.
        let w = pool_windows([2, 4, 4], pool(2, 2));
        assert_eq!(w.len(), 8);
        assert_eq!(w[0], vec![0, 1, 4, 5]);
        assert_eq!(w[1], vec![2, 3, 6, 7]);
        assert_eq!(w[3], vec![10, 11, 14, 15]);
        assert_eq!(w[4], vec![16, 17, 20, 21]);
        // 3×3 windows with stride 1 on 4×5: 2×3 per channel.
        let w = pool_windows([1, 4, 5], pool(3, 1));
        assert_eq!(w.len(), 6);
        assert_eq!(w[5], vec![7, 8, 9, 12, 13, 14, 17, 18, 19]);
        assert!(pool_windows([1, 2, 2], pool(3, 1)).is_empty());
    }
}
