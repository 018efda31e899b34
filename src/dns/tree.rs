//! The names of all loaded zones in one table, as nsd keeps them: a name
//! exists when it, or a name below it, owns records in any zone; each
//! record set belongs to the zone it was read in.

use std::collections::HashMap;

use super::name::{Key, Name};
use super::rrtype::Kind;
use super::zone::ZoneRecord;
use crate::eval::RData;

/// A zone's index in the table.
pub(crate) type ZoneId = usize;

/// The records of one type at one name, in one zone.
#[derive(Debug, Clone)]
pub(crate) struct RrSet {
    pub(crate) zone: ZoneId,
    pub(crate) kind: Kind,
    /// TTL and data (none for the types the engine never asks for).
    pub(crate) records: Vec<(u32, Option<RData>)>,
}

/// A name that exists.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) rrsets: Vec<RrSet>,
}

impl Node {
    /// The records of `kind` that zone `zone` has here.
    pub(crate) fn rrset(&self, zone: ZoneId, kind: Kind) -> Option<&RrSet> {
        self.rrsets
            .iter()
            .find(|s| s.zone == zone && s.kind == kind)
    }
}

/// Every existing name of every zone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    nodes: HashMap<Key, Node>,
    apexes: HashMap<Key, ZoneId>,
    zones: Vec<Name>,
    records: usize,
}

impl Tree {
    /// Adds zone `apex` with its (checked) records.
    pub(crate) fn add_zone(&mut self, apex: &Name, records: Vec<ZoneRecord>) -> Result<(), String> {
        if self.apexes.contains_key(&apex.key()) {
            return Err(format!("zone {apex} is already loaded"));
        }
        if self.records + records.len() > super::zone::MAX_RECORDS * 4 {
            return Err("too many records in all zones".into());
        }
        let id = self.zones.len();
        self.zones.push(apex.clone());
        self.apexes.insert(apex.key(), id);
        self.records += records.len();
        for r in records {
            self.insert(id, r);
        }
        Ok(())
    }

    fn insert(&mut self, zone: ZoneId, r: ZoneRecord) {
        let mut key = r.owner.key();
        let node = self
            .nodes
            .entry(key.clone())
            .or_insert(Node { rrsets: Vec::new() });
        match node
            .rrsets
            .iter_mut()
            .find(|s| s.zone == zone && s.kind == r.kind)
        {
            Some(set) => set.records.push((r.ttl, r.data)),
            None => node.rrsets.push(RrSet {
                zone,
                kind: r.kind,
                records: vec![(r.ttl, r.data)],
            }),
        }
        while !key.is_empty() {
            key.remove(0);
            self.nodes
                .entry(key.clone())
                .or_insert(Node { rrsets: Vec::new() });
        }
    }

    /// The zone whose apex is the longest suffix of `name`.
    pub(crate) fn zone_of(&self, name: &Name) -> Option<ZoneId> {
        let key = name.key();
        (0..=key.len()).find_map(|i| self.apexes.get(&key[i..]).copied())
    }

    /// The apex of zone `id`.
    pub(crate) fn apex(&self, id: ZoneId) -> &Name {
        &self.zones[id]
    }

    /// The names of the loaded zones, in the order they were added.
    pub(crate) fn zones(&self) -> &[Name] {
        &self.zones
    }

    /// The node of an existing name.
    pub(crate) fn node(&self, key: &[Vec<u8>]) -> Option<&Node> {
        self.nodes.get(key)
    }

    /// How many trailing labels of `key` form its closest existing
    /// encloser (itself when it exists); `None` when nothing is loaded.
    pub(crate) fn closest_encloser(&self, key: &[Vec<u8>]) -> Option<usize> {
        (0..=key.len())
            .find(|&skip| self.nodes.contains_key(&key[skip..]))
            .map(|skip| key.len() - skip)
    }
}
