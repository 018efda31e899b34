//! A host table in the format of /etc/hosts (an address, then names, `#`
//! comments), as the C library's `files` source reads it for
//! `gethostbyaddr` and `gethostbyname`.

use std::net::IpAddr;

/// The lines of a hosts file: each address with its names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostsFile {
    entries: Vec<(IpAddr, Vec<Vec<u8>>)>,
}

/// At most this many lines are read (a host table is small).
const MAX_LINES: usize = 100_000;

impl HostsFile {
    /// Reads hosts-file text; malformed lines are skipped, as the C
    /// library skips them.
    pub fn parse(text: &[u8]) -> HostsFile {
        let mut entries = Vec::new();
        for line in text.split(|&c| c == b'\n').take(MAX_LINES) {
            let line = line.split(|&c| c == b'#').next().unwrap_or_default();
            let mut fields = line
                .split(|c: &u8| c.is_ascii_whitespace())
                .filter(|f| !f.is_empty());
            let Some(addr) = fields.next().and_then(crate::ip::parse_ip) else {
                continue;
            };
            let names: Vec<Vec<u8>> = fields.map(<[u8]>::to_vec).collect();
            if !names.is_empty() {
                entries.push((addr, names));
            }
        }
        HostsFile { entries }
    }

    /// The system's /etc/hosts (empty when it cannot be read).
    pub fn system() -> HostsFile {
        let mut data = Vec::new();
        if let Ok(f) = std::fs::File::open("/etc/hosts") {
            use std::io::Read;
            let _ = f.take(1 << 20).read_to_end(&mut data);
        }
        HostsFile::parse(&data)
    }

    /// `gethostbyaddr`: the names of the first line for `addr`.
    pub fn names_of(&self, addr: IpAddr) -> Vec<Vec<u8>> {
        self.entries
            .iter()
            .find(|(a, _)| *a == addr)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }

    /// `gethostbyname`: the addresses of every line that has `name`
    /// (compared without case).
    pub fn addresses_of(&self, name: &[u8]) -> Vec<IpAddr> {
        let mut out = Vec::new();
        for (a, names) in &self.entries {
            if names.iter().any(|n| n.eq_ignore_ascii_case(name)) && !out.contains(a) {
                out.push(*a);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_the_c_library() {
        let h = HostsFile::parse(
            b"127.0.0.1 localhost\n# comment\n127.0.0.1 vm  # trailing\n::1 localhost ip6-localhost\n\
              garbage line\n192.0.2.9\n192.0.2.10 Mixed.Example alias\n",
        );
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(h.names_of(lo), vec![b"localhost".to_vec()]);
        assert_eq!(
            h.addresses_of(b"LOCALHOST"),
            vec![lo, "::1".parse().unwrap()]
        );
        assert_eq!(h.addresses_of(b"vm"), vec![lo]);
        assert_eq!(
            h.names_of("192.0.2.10".parse().unwrap()),
            vec![b"Mixed.Example".to_vec(), b"alias".to_vec()]
        );
        assert!(h.names_of("192.0.2.9".parse().unwrap()).is_empty());
        assert!(h.addresses_of(b"nowhere").is_empty());
    }
}
