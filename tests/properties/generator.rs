//! The deterministic generator of random fork shapes, shared by `tests/properties.rs`
//! (which writes them out as `workflow!` functions in `properties/shapes.rs`) and the
//! durable crash harness (`examples/durable/crash.rs`, which writes them out as
//! `#[durable]` workflows). Included by `#[path]` from both: a change to what it
//! generates makes both generated files stale, and their staleness tests say so.

#![allow(dead_code)] // each includer reads the parts it needs

#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub(crate) spawn: bool,
    pub(crate) fork: ForkShape,
    pub(crate) leaves: usize,
    /// Whether each leaf is in a background branch (it cannot fail).
    pub(crate) background_leaf: Vec<bool>,
}

#[derive(Debug, Clone)]
pub(crate) struct ForkShape {
    pub(crate) branches: Vec<BranchShape>,
    /// Indices of the joined branches, in join order.
    pub(crate) join: Vec<usize>,
    pub(crate) background: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct BranchShape {
    pub(crate) name: String,
    /// `#[timeout(ms)]`, odd.
    pub(crate) timeout: Option<u64>,
    pub(crate) steps: Vec<StepShape>,
}

#[derive(Debug, Clone)]
pub(crate) enum StepShape {
    Leaf(u32),
    Fork(ForkShape),
}

/// splitmix64: the generator's only source of randomness, seeded with the shape's index.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

pub(crate) struct Generator {
    pub(crate) rng: Rng,
    pub(crate) leaves: u32,
    pub(crate) branches: u32,
    pub(crate) background_leaf: Vec<bool>,
}

impl Generator {
    fn fork(&mut self, depth: u32, in_background: bool) -> ForkShape {
        let width = if depth == 0 {
            2 + self.rng.below(3)
        } else {
            2 + self.rng.below(2)
        };
        let mut branches = Vec::new();
        let mut background = Vec::new();
        for i in 0..width {
            // The last branch is always joined, so that every fork joins something.
            let wants_background = i + 1 < width && self.rng.chance(22);
            let background_branch = in_background || wants_background;
            let branch = self.branch(depth, background_branch);
            if wants_background && !in_background {
                background.push(branches.len());
            }
            branches.push(branch);
        }
        if in_background {
            // A fork inside a background branch joins everything: it cannot fail anyway.
            background.clear();
        }
        let mut join: Vec<usize> = (0..branches.len())
            .filter(|i| !background.contains(i))
            .collect();
        for i in (1..join.len()).rev() {
            let j = usize::try_from(self.rng.below(i as u64 + 1)).unwrap_or(0);
            join.swap(i, j);
        }
        ForkShape {
            branches,
            join,
            background,
        }
    }

    fn branch(&mut self, depth: u32, background: bool) -> BranchShape {
        let name = format!("b{}", self.branches);
        self.branches += 1;
        let timeout = (!background && self.rng.chance(18)).then(|| 5 + 2 * self.rng.below(38));
        let count = 1 + self.rng.below(3);
        let mut steps = Vec::new();
        for i in 0..count {
            let fork_allowed =
                depth < 3 && (i == 0 || matches!(steps.last(), Some(StepShape::Fork(_))));
            if fork_allowed && self.rng.chance(if depth == 0 { 45 } else { 25 }) {
                steps.push(StepShape::Fork(self.fork(depth + 1, background)));
            } else {
                steps.push(StepShape::Leaf(self.leaves));
                self.leaves += 1;
                self.background_leaf.push(background);
            }
        }
        BranchShape {
            name,
            timeout,
            steps,
        }
    }
}

pub(crate) fn generate(index: usize) -> Shape {
    let mut generator = Generator {
        rng: Rng(0x5eed_0000 + index as u64),
        leaves: 0,
        branches: 0,
        background_leaf: Vec::new(),
    };
    let spawn = generator.rng.chance(30);
    let fork = generator.fork(0, false);
    Shape {
        spawn,
        fork,
        leaves: generator.leaves as usize,
        background_leaf: generator.background_leaf,
    }
}
