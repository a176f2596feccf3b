//! A small deterministic PRNG (xorshift) so generated test inputs and
//! failures reproduce from a seed. Shared by the integration tests and the
//! YAML fast path's unit tests (`src/yaml/fast.rs`, via `#[path]`).
#![allow(dead_code)]

/// xorshift64 state; seed with a non-zero value.
pub struct Rng(pub u64);

impl Rng {
    /// The next raw 64-bit value.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True with `pct` percent probability.
    pub fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }

    /// One of `xs` (which must not be empty).
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}
