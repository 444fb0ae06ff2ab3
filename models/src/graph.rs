//! The explored state graph, for the properties stateright's checker does not answer
//! directly: shortest witness paths (stateright 0.31's discovery paths are not guaranteed
//! shortest), edge coverage, and recoverability by reverse reachability.
//!
//! The graph is explored breadth-first from the initial states with the model's own
//! `actions` and `next_state`, so it is exactly the graph the checker explores; the report
//! cross-checks the two unique-state counts.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use stateright::Model;

use crate::StepEdge;

/// A model whose steps can report the lifecycle edges they take.
pub trait Observed: Model {
    /// Like `next_state`, reporting each edge taken to `log`.
    fn observe(
        &self,
        state: &Self::State,
        action: Self::Action,
        log: &mut dyn FnMut(StepEdge),
    ) -> Option<Self::State>;
}

/// Every reachable state, its successors, and a breadth-first tree for shortest paths.
#[derive(Debug)]
pub struct Graph<S, A> {
    /// The states, in breadth-first order (index 0.. are the initial states).
    pub states: Vec<S>,
    /// For each state, the indices of its successors (self-loops included).
    pub successors: Vec<Vec<u32>>,
    /// For each state, the state and action it was first reached by (`None` for initial
    /// states): a shortest path, since the exploration is breadth-first.
    pub parent: Vec<Option<(u32, A)>>,
    /// Every lifecycle edge any step took, deduplicated and sorted.
    pub edges: Vec<StepEdge>,
}

impl<S: Clone + Eq + Hash, A: Clone> Graph<S, A> {
    /// Explores `model` completely.
    pub fn explore<M: Observed<State = S, Action = A>>(model: &M) -> Self {
        let mut index: HashMap<S, u32> = HashMap::new();
        let mut graph = Self {
            states: Vec::new(),
            successors: Vec::new(),
            parent: Vec::new(),
            edges: Vec::new(),
        };
        let mut edges = std::collections::HashSet::new();
        let mut queue = VecDeque::new();
        for s in model.init_states() {
            if !index.contains_key(&s) {
                let i = graph.push(&mut index, s, None);
                queue.push_back(i);
            }
        }
        let mut actions = Vec::new();
        while let Some(i) = queue.pop_front() {
            let state = graph.states[i as usize].clone();
            actions.clear();
            model.actions(&state, &mut actions);
            let mut succ = Vec::new();
            for action in actions.drain(..) {
                let Some(next) = model.observe(&state, action.clone(), &mut |e| {
                    edges.insert(e);
                }) else {
                    continue;
                };
                let j = match index.get(&next) {
                    Some(&j) => j,
                    None => {
                        let j = graph.push(&mut index, next, Some((i, action)));
                        queue.push_back(j);
                        j
                    }
                };
                succ.push(j);
            }
            succ.sort_unstable();
            succ.dedup();
            graph.successors[i as usize] = succ;
        }
        graph.edges = edges.into_iter().collect();
        graph.edges.sort_unstable();
        graph
    }

    fn push(&mut self, index: &mut HashMap<S, u32>, s: S, parent: Option<(u32, A)>) -> u32 {
        let i = u32::try_from(self.states.len()).unwrap_or(u32::MAX);
        index.insert(s.clone(), i);
        self.states.push(s);
        self.successors.push(Vec::new());
        self.parent.push(parent);
        i
    }

    /// The shortest path of actions from an initial state to the first state (in
    /// breadth-first order) satisfying `goal`, with that state.
    pub fn shortest_path(&self, goal: impl Fn(&S) -> bool) -> Option<(Vec<A>, &S)> {
        let target = self.states.iter().position(goal)?;
        let mut actions = Vec::new();
        let mut at = target;
        while let Some((p, a)) = &self.parent[at] {
            actions.push(a.clone());
            at = *p as usize;
        }
        actions.reverse();
        Some((actions, &self.states[target]))
    }

    /// The states from which no path reaches a state satisfying `goal`, found by reverse
    /// reachability: mark the goal states, then everything with an edge into a marked state,
    /// until nothing changes.
    pub fn cannot_reach(&self, goal: impl Fn(&S) -> bool) -> Vec<usize> {
        let n = self.states.len();
        let mut predecessors: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, succ) in self.successors.iter().enumerate() {
            for &j in succ {
                predecessors[j as usize].push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        let mut reaches = vec![false; n];
        let mut queue: VecDeque<usize> = VecDeque::new();
        for (i, s) in self.states.iter().enumerate() {
            if goal(s) {
                reaches[i] = true;
                queue.push_back(i);
            }
        }
        while let Some(j) = queue.pop_front() {
            for &p in &predecessors[j] {
                let p = p as usize;
                if !reaches[p] {
                    reaches[p] = true;
                    queue.push_back(p);
                }
            }
        }
        (0..n).filter(|&i| !reaches[i]).collect()
    }
}
