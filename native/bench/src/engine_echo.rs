//! The engine's own figures in the C# bench's cells (`--engine-echo`), so
//! the C# layer is compared with the engine underneath it on the same
//! server, at the same time and placement: round trips one at a time, and
//! echoes pipelined with a window in flight (the C# bench's "streaming").

use crate::client::{BenchClient, ClientKind, Payload};
use crate::stats::{median, percentile, rate};
use crate::throughput::{echo, expect_binary};
use serde_json::json;
use std::time::{Duration, Instant};

/// Echoes in flight when pipelined, as in the C# bench.
const WINDOW: u64 = 64;

/// Connects an engine client to `url`, measures `runs` runs of `count`
/// messages of `payload` bytes each way, and prints one JSON object with
/// the medians.
pub fn run(url: &str, payload: usize, count: u64, runs: usize) -> Result<(), String> {
    let mut client = ClientKind::Engine.connect(url)?;
    let data = Payload::new(payload);
    echo(client.as_mut(), &data, (count / 10).max(10))?;
    let (mut rates, mut p50s, mut pipelined) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let (elapsed, rtts) = echo(client.as_mut(), &data, count)?;
        rates.push(rate(count, elapsed));
        p50s.extend(percentile(&rtts, 50.0).map(|d| d.as_secs_f64() * 1e6));
        pipelined.push(rate(count, pipelined_echo(client.as_mut(), &data, count)?));
    }
    client.close()?;
    println!(
        "{}",
        json!({
            "payload_bytes": payload,
            "rtt_p50_us": median(&p50s),
            "msgs_per_sec": median(&rates),
            "pipelined_msgs_per_sec": median(&pipelined),
        })
    );
    Ok(())
}

fn pipelined_echo(
    client: &mut dyn BenchClient,
    data: &Payload,
    count: u64,
) -> Result<Duration, String> {
    let start = Instant::now();
    let mut sent = 0;
    for received in 0..count {
        while sent < count && sent - received < WINDOW {
            client.send(data)?;
            sent += 1;
        }
        expect_binary(client.recv()?, data.len())?;
    }
    Ok(start.elapsed())
}
