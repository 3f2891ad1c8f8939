//! This process's resident memory and thread count, from `/proc/self/status`,
//! and the CPU time of its threads, from `/proc/self/task/*/schedstat`.

use std::time::Duration;

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

/// The CPUs this process may run on (`Cpus_allowed_list`, e.g. `0` or
/// `0-1,4`); `None` where `/proc` is unavailable.
pub fn allowed_cpus() -> Option<Vec<usize>> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?;
    parse_cpu_list(list.trim())
}

fn parse_cpu_list(list: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in list.split(',') {
        match part.split_once('-') {
            Some((a, b)) => cpus.extend(a.parse::<usize>().ok()?..=b.parse::<usize>().ok()?),
            None => cpus.push(part.parse().ok()?),
        }
    }
    Some(cpus)
}

/// The CPUs online on this machine (`/sys/devices/system/cpu/online`),
/// whatever this process's own affinity.
pub fn online_cpus() -> Option<Vec<usize>> {
    parse_cpu_list(
        std::fs::read_to_string("/sys/devices/system/cpu/online")
            .ok()?
            .trim(),
    )
}

/// CPU time (user and system) used so far by this process's live threads,
/// in nanoseconds as the scheduler counts it (`/proc/self/stat`'s clock
/// ticks are too coarse for one run). `None` where `/proc` is unavailable.
pub fn cpu_time() -> Option<Duration> {
    let mut total = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        // A thread may end between the listing and the read: it is skipped.
        if let Ok(text) = std::fs::read_to_string(path) {
            total += parse_schedstat(&text)?;
        }
    }
    Some(Duration::from_nanos(total))
}

/// The first field of a schedstat line: nanoseconds spent on a CPU.
fn parse_schedstat(line: &str) -> Option<u64> {
    line.split_whitespace().next()?.parse().ok()
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
    fn parses_cpu_lists() {
        assert_eq!(parse_cpu_list("0"), Some(vec![0]));
        assert_eq!(parse_cpu_list("0-2,5"), Some(vec![0, 1, 2, 5]));
        assert_eq!(parse_cpu_list("x"), None);
        assert!(!allowed_cpus().expect("/proc/self/status").is_empty());
    }

    #[test]
    fn parses_schedstat_and_counts_this_threads_work() {
        assert_eq!(parse_schedstat("437505 1336984 2\n"), Some(437505));
        assert_eq!(parse_schedstat(""), None);
        let before = cpu_time().expect("/proc/self/task on Linux");
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(i));
        }
        assert!(cpu_time().unwrap() > before, "{x}");
    }

    #[test]
    fn reads_this_process() {
        let s = ProcStat::now().expect("/proc/self/status on Linux");
        assert!(s.rss_kib > 0);
        assert!(s.threads >= 1);
    }
}
