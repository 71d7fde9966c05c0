//! One integration-test binary (one link step on a 2-core CI).

mod assign_vectors;
mod bench;
mod cli;
mod engine_eio;
mod engine_node;
mod engine_sio;
mod engine_support;
mod gateway_vectors;
mod generated;
mod plan;
mod render;
mod render_gateways;
mod render_process;
mod serve_log;
mod serve_metrics;
mod serve_node;
mod serve_presence;
mod serve_recovery;
mod simulate_nat;
mod support;
mod zero_loss;
