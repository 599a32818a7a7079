#!/usr/bin/env node
// Side-by-side summary of kelisim_loadgen's JSON lines (bench/run.sh prints it at the end):
//   node bench/report.js results.jsonl
// One Markdown table for traffic runs, one for idle memory, one for saturation ramps; each Kelisim
// row is followed by the relay's ratio where the relay ran the same workload and transport.
'use strict';
const fs = require('fs');

const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const key = (r) => `${r.mode}|${r.rooms}x${r.participants}|${r.transport}|${r.traffic ? r.traffic.rate_per_participant : ''}`;
const ms = (us) => (us / 1000).toFixed(2);
const fmt = (v, d = 0) => (v === undefined || v === null ? '—' : Number(v).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const errors = (e) => Object.entries(e || {}).map(([k, v]) => `${k}: ${v}`).join('; ') || '0';

const traffic = lines.filter((r) => r.mode === 'load');
if (traffic.length) {
  console.log('\n| workload | target | transport | conns ok/failed | delivered | deliveries/s | delivery p50 / p90 / p99 / max ms | ack p50 / p99 ms | server CPU µs/delivery | server cores | server RSS MB | errors |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of traffic) {
    const t = r.traffic, d = t.delivery_latency, a = t.ack_latency, s = t.server || {};
    console.log(`| ${r.rooms}×${r.participants} @ ${t.rate_per_participant}/s, ${t.window_s} s | ${r.target} | ${r.transport} | ` +
      `${r.connections.open}/${r.connections.failed} | ${t.deliveries}/${t.deliveries_expected} (${t.delivered_pct}%) | ${fmt(t.deliveries_per_s)} | ` +
      `${ms(d.p50_us)} / ${ms(d.p90_us)} / ${ms(d.p99_us)} / ${ms(d.max_us)} | ` +
      `${r.target === 'relay' ? 'n/a' : `${ms(a.p50_us)} / ${ms(a.p99_us)}`} | ${fmt(s.cpu_us_per_delivery, 2)} | ${fmt(s.cpu_cores, 2)} | ` +
      `${fmt(s.rss_kb / 1024, 1)} | ${errors(t.errors)} |`);
  }
  const ours = traffic.filter((r) => r.target === 'kelisim');
  for (const k of ours) {
    const relay = traffic.find((r) => r.target === 'relay' && key(r) === key(k));
    if (!relay || !k.traffic.server || !relay.traffic.server) continue;
    const ratio = (a, b) => (b ? (a / b).toFixed(2) : '—');
    console.log(`\n${k.rooms}×${k.participants} ${k.transport}: Kelisim/relay CPU per delivery ${ratio(k.traffic.server.cpu_us_per_delivery, relay.traffic.server.cpu_us_per_delivery)}×, ` +
      `p99 ${ratio(k.traffic.delivery_latency.p99_us, relay.traffic.delivery_latency.p99_us)}×`);
    // Where the CPU goes: for Kelisim, the io threads against the store's writer and checkpointer.
    const byThread = (r) => Object.entries(r.traffic.server.cpu_us_per_delivery_by_thread || {})
      .map(([name, us]) => `${name} ${fmt(us, 2)}`).join(', ');
    console.log(`  CPU µs per delivery by thread: Kelisim ${byThread(k) || '—'}; relay ${byThread(relay) || '—'}`);
  }
}

const idle = lines.filter((r) => r.mode === 'idle');
if (idle.length) {
  console.log('\n| idle connections | target | transport | authenticated | lost | server RSS before → after MB | bytes per connection | errors |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of idle) {
    const s = r.idle.server || {};
    console.log(`| ${fmt(r.connections.attempted)} (${r.rooms}×${r.participants}) | ${r.target} | ${r.transport} | ${fmt(r.connections.welcomed)} | ${r.connections.lost} | ` +
      `${fmt(s.rss_before_kb / 1024, 1)} → ${fmt(s.rss_after_kb / 1024, 1)} | ${fmt(s.bytes_per_connection)} | ${errors(r.idle.errors)} |`);
  }
}

const ramps = lines.filter((r) => r.mode === 'ramp' && r.ramp);
if (ramps.length) {
  console.log('\n| saturation ramp | target | transport | steps (rate/s → deliveries/s, p99 ms) | best deliveries/s with p99 < limit, 100% | stopped |');
  console.log('|---|---|---|---|---|---|');
  for (const r of ramps) {
    const steps = r.ramp.steps.map((s) => `${s.rate} → ${fmt(s.deliveries_per_s)}, ${s.p99_ms.toFixed(1)}${s.ok ? '' : ' ✗'}`).join('; ');
    console.log(`| ${r.rooms}×${r.participants} | ${r.target} | ${r.transport} | ${steps} | ${fmt(r.ramp.best_deliveries_per_s)} | ${r.ramp.stopped} |`);
  }
  const steps = lines.filter((r) => r.mode === 'ramp' && r.traffic);
  if (steps.length) {
    console.log('\n| ramp step | target | transport | deliveries/s | delivered | p99 ms | server CPU µs/delivery | server cores | generator CPU s |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const r of steps) {
      const t = r.traffic, s = t.server || {};
      console.log(`| ${t.rate_per_participant}/s | ${r.target} | ${r.transport} | ${fmt(t.deliveries_per_s)} | ${t.delivered_pct}% | ${ms(t.delivery_latency.p99_us)} | ` +
        `${fmt(s.cpu_us_per_delivery, 2)} | ${fmt(s.cpu_cores, 2)} | ${fmt(t.generator_cpu_ms / 1000, 1)} |`);
    }
  }
}
