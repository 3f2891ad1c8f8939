//! This process's resident memory and thread count, from `/proc/self/status`.

/// A snapshot of `VmRSS` and `Threads`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    /// Resident set size in KiB.
    pub rss_kib: u64,
    /// Number of threads.
    pub threads: u64,
}

impl ProcStat {
    /// Reads the current values; `None` where `/proc` is unavailable.
    pub fn now() -> Option<ProcStat> {
        parse(&std::fs::read_to_string("/proc/self/status").ok()?)
    }
}

/// Parses the `VmRSS:` (kB) and `Threads:` lines of a status file.
fn parse(status: &str) -> Option<ProcStat> {
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
    };
    Some(ProcStat {
        rss_kib: field("VmRSS:")?,
        threads: field("Threads:")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_lines() {
        let s = "Name:\tbench\nVmPeak:\t  9000 kB\nVmRSS:\t    4321 kB\nThreads:\t7\n";
        assert_eq!(
            parse(s),
            Some(ProcStat {
                rss_kib: 4321,
                threads: 7
            })
        );
        assert_eq!(parse("VmRSS: 12 kB\n"), None);
    }

    #[test]
    fn reads_this_process() {
        let s = ProcStat::now().expect("/proc/self/status on Linux");
        assert!(s.rss_kib > 0);
        assert!(s.threads >= 1);
    }
}
