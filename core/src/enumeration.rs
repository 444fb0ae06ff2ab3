//! Closed enums and sets of their values: the leaf every other module stands on.
//!
//! A *closed enum* is a fieldless enum whose variants can be listed and numbered
//! ([`Enumerated`]); every status, event, category and overlay of the crate is one, declared
//! with [`closed_enum!`](crate::closed_enum). An [`EnumSet`] is a set of values of any closed
//! enum with at most 64 variants, kept as the bits of one `u64`.

use core::fmt;
use core::marker::PhantomData;

use serde::Serialize;

/// A closed enum whose variants can be listed and numbered.
///
/// Implemented by [`closed_enum!`](crate::closed_enum) for every enum it declares. The index
/// is the variant's position in declaration order, which is also the crate's stable sort
/// order for generated output.
///
/// ```
/// use nectar_lifecycle_core::{ConnectionStatus, Enumerated};
/// assert_eq!(ConnectionStatus::ALL[1], ConnectionStatus::Connected);
/// assert_eq!(ConnectionStatus::Connected.index(), 1);
/// ```
pub trait Enumerated: Copy + Eq + Ord + fmt::Debug + 'static {
    /// Every variant, in declaration order.
    const ALL: &'static [Self];
    /// The variant's position in [`Self::ALL`].
    fn index(self) -> usize;
}

/// Declares a closed, fieldless enum with the derives every enum of the crate shares: value
/// semantics, a total order (declaration order, the sort order of generated output), strum's
/// iteration, count and variant array, and [`Enumerated`], so that its values can be kept in
/// an [`EnumSet`].
///
/// The expansion derives strum's `EnumIter`, `EnumCount` and `VariantArray`, so the crate
/// that uses it depends on `strum` too.
///
/// ```
/// use nectar_lifecycle_core::{closed_enum, EnumSet};
///
/// closed_enum! {
///     /// A traffic light.
///     pub enum Light { Red, Amber, Green }
/// }
///
/// let stop: EnumSet<Light> = [Light::Red, Light::Amber].into_iter().collect();
/// assert!(stop.contains(Light::Amber) && !stop.contains(Light::Green));
/// assert_eq!(stop.last(), Some(Light::Amber));
/// ```
#[macro_export]
macro_rules! closed_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::strum::EnumIter, ::strum::EnumCount, ::strum::VariantArray,
        )]
        $vis enum $name { $($body)* }

        impl $crate::Enumerated for $name {
            const ALL: &'static [Self] =
                <$name as ::strum::VariantArray>::VARIANTS;
            #[inline]
            fn index(self) -> usize {
                self as usize
            }
        }
    };
}

/// A set of values of a closed enum, as a bit set: `Copy`, no allocation, iterated in
/// declaration order.
///
/// ```
/// use nectar_lifecycle_core::{Connection, ConnectionEvent as E, Rules};
/// let allowed = Connection::new(Rules::Documented).allowed_events();
/// assert!(allowed.contains(E::MfaRequired));
/// assert!(!allowed.contains(E::WeeklyCheckPassed));
/// assert_eq!(allowed.iter().next(), Some(E::AuthSucceeded));
/// ```
pub struct EnumSet<T> {
    bits: u64,
    _value: PhantomData<fn() -> T>,
}

impl<T: Enumerated> EnumSet<T> {
    /// Whether `T` fits: at most 64 variants. Checked at compile time by every constructor.
    const FITS: () = assert!(
        T::ALL.len() <= 64,
        "an EnumSet holds enums of at most 64 variants"
    );

    /// The empty set.
    #[must_use]
    pub const fn empty() -> Self {
        let () = Self::FITS;
        Self {
            bits: 0,
            _value: PhantomData,
        }
    }

    /// The set of the values whose bits are set in `bits` (bit `i` is `T::ALL[i]`); bits
    /// beyond the enum's variants are dropped.
    #[must_use]
    pub const fn from_bits(bits: u64) -> Self {
        let () = Self::FITS;
        let mask = if T::ALL.len() == 64 {
            u64::MAX
        } else {
            (1u64 << T::ALL.len()) - 1
        };
        Self {
            bits: bits & mask,
            _value: PhantomData,
        }
    }

    /// The set's bits (bit `i` is `T::ALL[i]`).
    #[must_use]
    pub const fn bits(&self) -> u64 {
        self.bits
    }

    /// Adds `value` to the set.
    pub fn insert(&mut self, value: T) {
        self.bits |= 1 << value.index();
    }

    /// Removes `value` from the set.
    pub fn remove(&mut self, value: T) {
        self.bits &= !(1 << value.index());
    }

    /// The set with `value` added.
    #[must_use]
    pub fn with(mut self, value: T) -> Self {
        self.insert(value);
        self
    }

    /// Whether `value` is in the set.
    #[must_use]
    pub fn contains(&self, value: T) -> bool {
        self.bits & (1 << value.index()) != 0
    }

    /// The number of values in the set.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    /// Whether the set is empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The greatest value in the set (the last in declaration order), if any.
    #[must_use]
    pub fn last(&self) -> Option<T> {
        match self.bits {
            0 => None,
            bits => T::ALL.get(63 - bits.leading_zeros() as usize).copied(),
        }
    }

    /// The values in the set, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        T::ALL.iter().copied().filter(|v| self.contains(*v))
    }
}

// Manual impls: derives would demand the bounds of `T` itself.
impl<T> Clone for EnumSet<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for EnumSet<T> {}
impl<T> PartialEq for EnumSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.bits == other.bits
    }
}
impl<T> Eq for EnumSet<T> {}
impl<T> PartialOrd for EnumSet<T> {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
/// Ordered by the bits: a set with a later value sorts after one without it.
impl<T> Ord for EnumSet<T> {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.bits.cmp(&other.bits)
    }
}
impl<T> core::hash::Hash for EnumSet<T> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.bits.hash(state);
    }
}

impl<T: Enumerated> Default for EnumSet<T> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: Enumerated> FromIterator<T> for EnumSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Self::empty();
        for value in iter {
            set.insert(value);
        }
        set
    }
}

impl<T: Enumerated, const N: usize> From<[T; N]> for EnumSet<T> {
    fn from(values: [T; N]) -> Self {
        values.into_iter().collect()
    }
}

/// Serialized as the list of its members, in declaration order.
impl<T: Enumerated + Serialize> Serialize for EnumSet<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<T: Enumerated> fmt::Debug for EnumSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// The members' `Display`, comma-separated, or `none`.
impl<T: Enumerated + fmt::Display> fmt::Display for EnumSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("none");
        }
        for (i, value) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{value}")?;
        }
        Ok(())
    }
}
